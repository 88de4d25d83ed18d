"""wordml: hand-written WordprocessingML and a deterministic .docx writer,
with the standard library only.  Shared by tools/make-blank-forms.py (the
blank forms shipped in rules/forms/) and tests/tools/make-docx.py (the
Word fixtures of the unit tests).  Every package is written with fixed
dates and in a fixed order, so the same input gives the same bytes.
"""
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
NS = ('xmlns:w="%s" xmlns:w14="%s" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
      'wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/'
      'wordprocessingShape" '
      'xmlns:v="urn:schemas-microsoft-com:vml" '
      'xmlns:o="urn:schemas-microsoft-com:office:office" '
      'mc:Ignorable="w14"' % (W, W14))
NUMBERING_TYPE = ("application/vnd.openxmlformats-officedocument."
                  "wordprocessingml.numbering+xml")
NUMBERING_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/"
                 "relationships/numbering")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/%s" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')

RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="%s"/>'
    '</Relationships>')


# --- WordprocessingML pieces ------------------------------------------------

def t(text):
    return '<w:t xml:space="preserve">%s</w:t>' % escape(text)


def r(text="", strike=False, dstrike=False, unstrike=False, hidden=False,
      inner="", bold=False, size=None):
    props = ""
    if bold:
        props += "<w:b/>"
    if strike:
        props += "<w:strike/>"
    if dstrike:
        props += "<w:dstrike/>"
    if unstrike:
        props += '<w:strike w:val="0"/>'
    if hidden:
        props += "<w:vanish/>"
    if size:
        props += '<w:sz w:val="%d"/>' % size
    return "<w:r>%s%s%s</w:r>" % (
        "<w:rPr>%s</w:rPr>" % props if props else "", t(text) if text else "",
        inner)


def p(*runs, num=None, after=None):
    """A paragraph; num=(numId, ilvl) puts it in a list (the numbering
    button), whose number Word draws from numbering.xml; after: the space
    after it in twentieths of a point."""
    ppr = ""
    if after is not None:
        ppr = '<w:pPr><w:spacing w:after="%d"/></w:pPr>' % after
    if num is not None:
        ppr = ('<w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr>'
               '<w:ilvl w:val="%d"/><w:numId w:val="%d"/></w:numPr>'
               '<w:ind w:left="360" w:hanging="360"/></w:pPr>'
               % (num[1], num[0]))
    return "<w:p>%s%s</w:p>" % (ppr, "".join(
        r(x) if isinstance(x, str) else x[0] for x in runs))


def textbox(*paras, vml_only=False):
    """A text box as Word 2010 and later write it: in a run, an
    mc:AlternateContent whose mc:Choice is a DrawingML shape (wps:wsp)
    anchored to the paragraph and whose mc:Fallback is the same box in
    VML for older readers; the text is in both.  vml_only: a Word 2007
    document, the VML alone."""
    body = "".join(x if x.startswith("<") else p(x) for x in paras)
    vml = ('<w:pict><v:shapetype id="_x0000_t202" coordsize="21600,21600" '
           'o:spt="202" path="m,l,21600r21600,l21600,xe"/>'
           '<v:shape id="Text Box 2" o:spid="_x0000_s1026" '
           'type="#_x0000_t202" style="position:absolute;margin-left:0;'
           'margin-top:0;width:200pt;height:40pt;z-index:251659264" '
           'stroked="t"><v:textbox><w:txbxContent>%s</w:txbxContent>'
           '</v:textbox></v:shape></w:pict>' % body)
    if vml_only:
        return raw("<w:r>%s</w:r>" % vml)
    dml = ('<w:drawing><wp:anchor distT="45720" distB="45720" distL="114300" '
           'distR="114300" simplePos="0" relativeHeight="251659264" '
           'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
           '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column">'
           '<wp:posOffset>0</wp:posOffset></wp:positionH>'
           '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0'
           '</wp:posOffset></wp:positionV><wp:extent cx="2540000" '
           'cy="508000"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
           '<wp:wrapSquare wrapText="bothSides"/><wp:docPr id="1" '
           'name="Text Box 2"/><wp:cNvGraphicFramePr/><a:graphic>'
           '<a:graphicData uri="http://schemas.microsoft.com/office/word/'
           '2010/wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1">'
           '<a:spLocks noChangeArrowheads="1"/></wps:cNvSpPr><wps:spPr '
           'bwMode="auto"><a:xfrm><a:off x="0" y="0"/><a:ext cx="2540000" '
           'cy="508000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
           '</a:prstGeom></wps:spPr><wps:txbx><w:txbxContent>%s'
           '</w:txbxContent></wps:txbx><wps:bodyPr rot="0" vert="horz" '
           'wrap="square" anchor="t" anchorCtr="0"><a:noAutofit/>'
           '</wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor>'
           '</w:drawing>' % body)
    return raw('<w:r><mc:AlternateContent><mc:Choice Requires="wps">%s'
               '</mc:Choice><mc:Fallback>%s</mc:Fallback>'
               '</mc:AlternateContent></w:r>' % (dml, vml))


def sym_box(ticked):
    """A box drawn as a Wingdings symbol (Insert > Symbol)."""
    return raw('<w:r><w:sym w:font="Wingdings" w:char="%s"/></w:r>'
               % ("F0FE" if ticked else "F0A8"))


def raw(xml):
    """A piece of paragraph content given as XML (not a plain run)."""
    return (xml,)


def cell(*paras, span=1, vmerge=None, hmerge=None, shade=None):
    """A table cell; vmerge "restart" opens a merge downwards and
    "continue" (Word writes a bare <w:vMerge/>) is a cell under it;
    shade: a fill colour ("D9D9D9") for a printed label."""
    props = ""
    if span > 1:
        props += '<w:gridSpan w:val="%d"/>' % span
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    if hmerge == "restart":
        props += '<w:hMerge w:val="restart"/>'
    elif hmerge == "continue":
        props += "<w:hMerge/>"
    if shade:
        props += '<w:shd w:val="clear" w:color="auto" w:fill="%s"/>' % shade
    body = "".join(x if x.startswith("<") else p(x) for x in paras)
    if not body or body.endswith("</w:tbl>"):
        body += "<w:p/>"        # a cell always ends with a paragraph
    return "<w:tc><w:tcPr>%s</w:tcPr>%s</w:tc>" % (props, body)


def row(*cells, before=0, deleted=False, height=None):
    """A table row; height: at least this tall (twips), room to write."""
    props = ""
    if height:
        props += '<w:trHeight w:val="%d"/>' % height
    if before:
        props += '<w:gridBefore w:val="%d"/>' % before
    if deleted:
        props += '<w:del w:id="9" w:author="Jo Sample" w:date="2026-01-01T00:00:00Z"/>'
    return "<w:tr>%s%s</w:tr>" % (
        "<w:trPr>%s</w:trPr>" % props if props else "",
        "".join(c if c.startswith("<w:tc") or c.startswith("<w:sdt")
                else cell(c) for c in cells))


def table(*rows, cols=4, widths=None, borders=False):
    """A table of `cols` columns 2000 twips wide, or of the widths given;
    borders: single lines round every cell, as a printed form has."""
    widths = widths or [2000] * cols
    grid = "".join('<w:gridCol w:w="%d"/>' % w for w in widths)
    props = '<w:tblW w:w="0" w:type="auto"/>'
    if borders:
        props += "<w:tblBorders>%s</w:tblBorders>" % "".join(
            '<w:%s w:val="single" w:sz="4" w:space="0" w:color="auto"/>' % b
            for b in ("top", "left", "bottom", "right", "insideH",
                      "insideV"))
    return ('<w:tbl><w:tblPr>%s</w:tblPr><w:tblGrid>%s</w:tblGrid>%s</w:tbl>'
            % (props, grid, "".join(rows)))


def bookmark(name, ident):
    """A bookmark (Insert > Bookmark) holding nothing: where an answer
    goes.  Word keeps it and shows nothing."""
    return raw('<w:bookmarkStart w:id="%d" w:name="%s"/>'
                '<w:bookmarkEnd w:id="%d"/>' % (ident, name, ident))


def sdt_text(text, tag="Text", date=False):
    """An inline plain text (or date picker) content control."""
    kind = ('<w:date w:fullDate="2026-02-01T00:00:00Z"><w:dateFormat '
            'w:val="dd/MM/yyyy"/></w:date>' if date else "<w:text/>")
    return raw('<w:sdt><w:sdtPr><w:alias w:val="%s"/><w:tag w:val="%s"/>%s'
               '</w:sdtPr><w:sdtContent>%s</w:sdtContent></w:sdt>'
               % (tag, tag, kind, r(text)))


def sdt_placeholder():
    return raw('<w:sdt><w:sdtPr><w:showingPlcHdr/><w:text/></w:sdtPr>'
               '<w:sdtContent>%s</w:sdtContent></w:sdt>'
               % r("Click or tap here to enter text."))


def checkbox(checked):
    """A Word 2010 check box content control, with the glyph Word shows."""
    return raw(
        '<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="%d"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/>'
        '</w14:checkbox></w:sdtPr><w:sdtContent>%s</w:sdtContent></w:sdt>'
        % (1 if checked else 0, r("\u2612" if checked else "\u2610")))


def legacy_checkbox(default, checked=None):
    """A legacy form field check box (FORMCHECKBOX)."""
    chk = ""
    if checked is True:
        chk = "<w:checked/>"
    elif checked is False:
        chk = '<w:checked w:val="0"/>'
    return raw(
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/>'
        '<w:enabled/><w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/>'
        '<w:default w:val="%d"/>%s</w:checkBox></w:ffData></w:fldChar></w:r>'
        '<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>' % (int(default), chk))


# An A4 page with 2 cm margins: 9638 twips between them.
A4 = ('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" '
      'w:right="1134" w:bottom="1134" w:left="1134" w:header="709" '
      'w:footer="709" w:gutter="0"/></w:sectPr>')


def document(body, prolog="", sect="<w:sectPr/>"):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n%s'
            '<w:document %s><w:body>%s%s</w:body></w:document>'
            % (prolog, NS, body, sect))


def lvl(ilvl, fmt, text, start=1, suff=None):
    return ('<w:lvl w:ilvl="%d" w:tplc="0809000F"><w:start w:val="%d"/>'
            '<w:numFmt w:val="%s"/>%s<w:lvlText w:val="%s"/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="%d" '
            'w:hanging="360"/></w:pPr></w:lvl>'
            % (ilvl, start, fmt,
               '<w:suff w:val="%s"/>' % suff if suff else "",
               escape(text, {'"': "&quot;"}), 720 * (ilvl + 1)))


def numbering():
    """numbering.xml as the numbering button writes it: abstract list 0
    ("1." then "a)" then "i."), abstract list 1 (bullets); w:num 1 and 3
    use list 0 (3 restarts it at 1, as "Restart at 1" does), w:num 2 the
    bullets, w:num 4 "Step 1" with a space after the number, w:num 5
    roman capitals from 4."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:numbering %s>'
        '<w:abstractNum w:abstractNumId="0" w15:restartNumberingAfterBreak='
        '"0" xmlns:w15="http://schemas.microsoft.com/office/word/2012/'
        'wordml" mc:Ignorable="w15"><w:nsid w:val="1A2B3C4D"/>'
        '<w:multiLevelType w:val="hybridMultilevel"/>%s%s%s</w:abstractNum>'
        '<w:abstractNum w:abstractNumId="1"><w:multiLevelType '
        'w:val="hybridMultilevel"/>%s</w:abstractNum>'
        '<w:abstractNum w:abstractNumId="2">%s</w:abstractNum>'
        '<w:abstractNum w:abstractNumId="3">%s</w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride '
        'w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        '<w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>'
        '<w:num w:numId="5"><w:abstractNumId w:val="3"/></w:num>'
        '</w:numbering>'
        % (NS, lvl(0, "decimal", "%1."), lvl(1, "lowerLetter", "%2)"),
           lvl(2, "lowerRoman", "%1.%2.%3."),
           lvl(0, "bullet", "\uf0b7"),
           lvl(0, "decimal", "Step %1:", suff="space"),
           lvl(0, "upperRoman", "%1.", start=4)))


# --- packages ---------------------------------------------------------------

def package(path, parts, main="word/document.xml", types=""):
    """Writes a zip with fixed dates so the fixture never changes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        ct = CONTENT_TYPES % main
        ct = ct.replace("</Types>", types + "</Types>")
        files = [("[Content_Types].xml", ct),
                 ("_rels/.rels", RELS % main)] + list(parts)
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode() if isinstance(data, str) else data)


STYLES_TYPE = ("application/vnd.openxmlformats-officedocument."
               "wordprocessingml.styles+xml")
STYLES_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/"
              "relationships/styles")


def styles(font="Arial", size=22):
    """styles.xml with only the document defaults: the font and size
    (half points) of every run, no space after a paragraph."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:styles %s><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts '
            'w:ascii="%s" w:hAnsi="%s" w:eastAsia="%s" w:cs="%s"/>'
            '<w:sz w:val="%d"/><w:szCs w:val="%d"/><w:lang w:val="en-GB"/>'
            '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing '
            'w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            '</w:pPrDefault></w:docDefaults></w:styles>'
            % (NS, font, font, font, font, size, size))


def docx(path, body, prolog="", lists=False, sect="<w:sectPr/>",
         styled=False):
    """A .docx; lists: with the numbering part (numbering()), styled: with
    the document defaults of styles(); each named in
    word/_rels/document.xml.rels as Word names it."""
    parts = [("word/document.xml", document(body, prolog, sect))]
    rels, extra, types = [], [], ""
    if lists:
        rels.append((NUMBERING_REL, "numbering.xml"))
        extra.append(("word/numbering.xml", numbering()))
        types += ('<Override PartName="/word/numbering.xml" '
                  'ContentType="%s"/>' % NUMBERING_TYPE)
    if styled:
        rels.append((STYLES_REL, "styles.xml"))
        extra.append(("word/styles.xml", styles()))
        types += ('<Override PartName="/word/styles.xml" '
                  'ContentType="%s"/>' % STYLES_TYPE)
    if rels:
        parts.append((
            "word/_rels/document.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships">%s</Relationships>'
            % "".join('<Relationship Id="rId%d" Type="%s" Target="%s"/>'
                      % (i + 1, t, target)
                      for i, (t, target) in enumerate(rels))))
    package(path, parts + extra, types=types)
