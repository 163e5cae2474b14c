"""Builders of odd and hostile files shared by the ingest tests (generated, never stored)."""

import io
import json
import zipfile

NEWSML_NS = "http://iptc.org/std/nar/2006-10-01/"


def news_item(*, guid: str = "urn:newsml:example.com:20260101:story-1", version: int = 1, headline: str = "") -> bytes:
    headline = headline or f"Budget vote postponed, version {version}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="{NEWSML_NS}" guid="{guid}" version="{version}" standard="NewsML-G2" standardversion="2.29" xml:lang="en">
  <itemMeta><itemClass qcode="ninat:text"/><provider literal="Example News"/>
    <versionCreated>2026-01-01T10:0{version % 10}:00Z</versionCreated><firstCreated>2026-01-01T09:00:00Z</firstCreated>
  </itemMeta>
  <contentMeta>
    <headline>{headline}</headline>
    <description role="drol:summary">The vote moves to next week.</description>
    <by>By Jane Reporter</by><dateline>PARIS</dateline><language tag="en"/>
    <subject qcode="medtop:11000000"><name>Politics</name></subject>
  </contentMeta>
  <contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body>
    <p>The parliament postponed the budget vote, version {version} of the story says.</p>
    <h2>What comes next</h2>
    <p>Deputies will meet again on Tuesday.<script>alert(1)</script></p>
  </body></html></inlineXML></contentSet>
</newsItem>""".encode()


def xml_bomb() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    return f'<?xml version="1.0"?><!DOCTYPE nitf [{entities}]><nitf><body><body.content><p>&lol9;</p></body.content></body></nitf>'.encode()


def xxe(path: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY xxe SYSTEM "file://{path}">]>'
        "<nitf><body><body.head><hedline><hl1>Leak &xxe;</hl1></hedline></body.head>"
        "<body.content><p>&xxe;</p></body.content></body></nitf>"
    ).encode()


def nitf(headline: str = "Storm closes the port", doc_id: str = "nitf-1") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nitf SYSTEM "nitf-3-4.dtd">\n'
        f'<nitf><head><docdata><doc-id id-string="{doc_id}" regsrc="EX"/><du-key version="1"/></docdata></head>'
        f"<body><body.head><hedline><hl1>{headline}</hl1></hedline></body.head>"
        "<body.content><p>The harbour master closed the port on Monday.</p><p>Ferries stay docked.</p>"
        "</body.content></body></nitf>"
    ).encode()


BROKEN_XML = b'<?xml version="1.0"?><nitf><body><body.content><p>Unclosed paragraph</body.content></nitf>'


def zip_of(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16) | 0
            zf.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def zip_bomb(megabytes: int = 64) -> bytes:
    """One member of zeros: a few dozen KB that would expand to `megabytes` MB."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("story.txt", "w") as member,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(megabytes):
            member.write(chunk)
    return buffer.getvalue()


def jsonl(*records, raw_lines: tuple[str, ...] = ()) -> bytes:
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(raw_lines)
    return ("\n".join(lines) + "\n").encode()


def good_record(n: int) -> dict:
    return {
        "id": f"wire-{n}",
        "headline": f"Harbour story number {n}",
        "body": f"First paragraph of story {n}.\n\nSecond paragraph of story {n}.",
        "language": "en",
        "source": "Example Wire",
    }
