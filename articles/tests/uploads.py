"""Posting files to the editors' upload page, as the tests of every upload path do."""

from django.core.files.uploadedfile import SimpleUploadedFile

UPLOAD_URL = "/admin/articles/article/upload/"


def upload(client, *files, publish=False, content_type="application/octet-stream"):
    """POST (name, bytes) pairs to the upload page; ticks "publish" when asked."""
    data = {"files": [SimpleUploadedFile(name, content, content_type) for name, content in files]}
    if publish:
        data["publish"] = "on"
    return client.post(UPLOAD_URL, data)
