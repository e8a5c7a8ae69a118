"""How much one file may cost to read, and what the user is told when a file asks for more.

Every limit is here, next to the reason shown in the index summary. A file over a limit is
skipped with its reason and the rest of the corpus is indexed. The limits bound a reader's
memory and time whatever the file holds: a zip member that inflates a thousandfold, an XML
entity bomb, a PDF of endless pages, a web page of endless tags. Each is far above what real
documents need (measured costs in the comments).
"""

from __future__ import annotations

MB = 1024 * 1024

# Any file: its bytes sit in memory while it is read. A caller can check the size before
# reading the file (``os.stat``) and skip it with the same reason.
MAX_FILE_BYTES = 200 * MB
FILE_TOO_BIG = f"文件超过 {MAX_FILE_BYTES // MB} MB，超出单个文件的处理上限，已跳过；请拆分后再导入"

# Characters of text a file may yield, whatever its format (a 50 MB Chinese .txt holds ~17
# million). Indexing costs grow with the text, not with the file's size.
MAX_CHARS = 20_000_000
TOO_MANY_CHARS = (
    f"文件中的文字超过 {MAX_CHARS // 10_000} 万字，超出单个文件的处理上限，已跳过；"
    "请拆分成几个文件后再导入"
)
# What a file that still ran out of memory is reported with (not "damaged": it may be fine).
OUT_OF_MEMORY = "读取时内存不足（文件过大或过于复杂），已跳过；请拆分成几个文件后再导入"

# .docx (a zip): the members' sizes once inflated, all together and per XML part. python-docx
# parses every XML part into memory: a 50 MB document.xml (~8 million characters of text)
# takes ~430 MB and ~17 s to read.
MAX_UNZIPPED_BYTES = 200 * MB
UNZIPPED_TOO_BIG = f"解压后超过 {MAX_UNZIPPED_BYTES // MB} MB，可能是压缩炸弹，已跳过"
MAX_XML_PART_BYTES = 50 * MB
XML_PART_TOO_BIG = (
    f"Word 文档的正文解压后超过 {MAX_XML_PART_BYTES // MB} MB，超出处理上限，已跳过；"
    "请拆分成几个文件后再导入"
)
MAX_ZIP_MEMBERS = 10_000
TOO_MANY_MEMBERS = f"压缩包内的文件超过 {MAX_ZIP_MEMBERS} 个，可能是恶意构造的文件，已跳过"
SIZE_MISMATCH = "压缩包内文件的实际大小与记录不符，文件已损坏或被篡改，已跳过"
# Word never writes a DOCTYPE; one in a .docx can only declare entities (billion laughs) or
# point at external files.
XML_DOCTYPE = "Word 文档中含有 XML 实体声明（DOCTYPE），可能是恶意构造的文件，已跳过"

# PDF: pages read (pypdf reads a text page in ~10-50 ms) and bytes any one stream may inflate
# to (a page's content stream is rarely over 1 MB).
MAX_PDF_PAGES = 2000
TOO_MANY_PAGES = f"PDF 超过 {MAX_PDF_PAGES} 页，超出单个文件的处理上限，已跳过；请拆分后再导入"
MAX_PDF_STREAM_BYTES = 50 * MB
PDF_STREAM_TOO_BIG = "PDF 中的数据解压后过大，可能是压缩炸弹，已跳过"

# Saved web pages (mostly 30 KB - 2 MB): BeautifulSoup takes ~23 bytes of memory a byte of
# page (a 10 MB page: ~230 MB, ~12 s; 50 MB: ~940 MB, ~76 s) and finding the article costs
# ~0.3 ms a tag.
MAX_HTML_BYTES = 10 * MB
HTML_TOO_BIG = (
    f"网页文件超过 {MAX_HTML_BYTES // MB} MB，超出处理上限，已跳过；"
    "请在浏览器中只保存正文（仅 HTML）后再导入"
)
MAX_HTML_TAGS = 200_000  # "<" counted: opening and closing tags, comments
TOO_MANY_TAGS = (
    f"网页中的标签超过 {MAX_HTML_TAGS // 10_000} 万个，超出处理上限，已跳过；"
    "请在浏览器中只保存正文（仅 HTML）后再导入"
)

# Scans (page images, image-only PDFs): OCR takes seconds a page (bench/ocr.py), so a scan
# of more pages than this would hold the indexer for an hour. Pixels of one page image: a
# 600 dpi A4 page is ~35 million; Pillow decodes 4 bytes a pixel.
MAX_SCAN_PAGES = 500
TOO_MANY_SCAN_PAGES = (
    f"扫描件超过 {MAX_SCAN_PAGES} 页，文字识别耗时过长，已跳过；请拆分成几个文件后再导入"
)
MAX_IMAGE_PIXELS = 60_000_000
IMAGE_TOO_BIG = "图片超过 6000 万像素，超出文字识别的处理上限，已跳过；请降低分辨率后再导入"
