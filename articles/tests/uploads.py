"""Posting files to the editors' upload page, as the tests of every upload path do."""

from django.core.files.uploadedfile import SimpleUploadedFile

UPLOAD_URL = "/admin/articles/article/upload/"


def upload(client, *files, publish=False, content_type="application/octet-stream", **choices):
    """POST (name, bytes) pairs to the upload page; ticks "publish" when asked. `choices`
    are the form's other fields (source and section ids, published_at, update_same_headline)."""
    data = {"files": [SimpleUploadedFile(name, content, content_type) for name, content in files]}
    if publish:
        data["publish"] = "on"
    for name, value in choices.items():
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    return client.post(UPLOAD_URL, data)
