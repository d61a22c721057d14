#include "io/NpyFile.h"

#include "common/InputError.h"
#include "io/AtomicFileWriter.h"
#include "io/FileText.h"
#include "io/MappedFile.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace featurescope {

namespace {

const char kMagic[] = "\x93NUMPY";

// A strict reader of the header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
public:
    HeaderParser(const std::string& text, const std::string& path) : m_text(text), m_path(path) {}

    void parse()
    {
        skipSpace();
        expect('{', "the header is not a Python dict");
        while (true) {
            skipSpace();
            if (peek() == '}') {
                ++m_pos;
                break;
            }
            const std::string key = parseString("a dict key");
            skipSpace();
            expect(':', "expected ':' after " + FileText::quoted(key));
            skipSpace();
            if (key == "descr") {
                if (descr)
                    fail("the header repeats 'descr'");
                if (peek() == '[')
                    fail("structured arrays (a list descr) are not supported: save a plain numeric array");
                descr = parseString("the descr");
            } else if (key == "fortran_order") {
                if (fortran)
                    fail("the header repeats 'fortran_order'");
                fortran = parseBool();
            } else if (key == "shape") {
                if (shape)
                    fail("the header repeats 'shape'");
                shape = parseShape();
            } else {
                fail("unexpected header key " + FileText::quoted(key));
            }
            skipSpace();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            skipSpace();
            expect('}', "expected ',' or '}' in the header");
            break;
        }
        skipSpace();
        if (m_pos != m_text.size())
            fail("unexpected text after the header dict");
        if (!descr || !fortran || !shape)
            fail(std::string("the header has no '") + (!descr ? "descr" : !fortran ? "fortran_order" : "shape") + "'");
    }

    std::optional<std::string> descr;
    std::optional<bool> fortran;
    std::optional<ArrayData::Shape> shape;

private:
    [[noreturn]] void fail(const std::string& problem) const { throw InputError(m_path + ": bad .npy header: " + problem); }
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
    void skipSpace()
    {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\n' || m_text[m_pos] == '\t' ||
                                         m_text[m_pos] == '\r'))
            ++m_pos;
    }
    void expect(char c, const std::string& problem)
    {
        if (peek() != c)
            fail(problem);
        ++m_pos;
    }
    std::string parseString(const std::string& what)
    {
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            fail("expected a quoted string for " + what);
        ++m_pos;
        const std::size_t end = m_text.find(quote, m_pos);
        if (end == std::string::npos || end - m_pos > 256)
            fail("unterminated string for " + what);
        std::string s = m_text.substr(m_pos, end - m_pos);
        if (s.find('\\') != std::string::npos)
            fail("escapes in header strings are not supported");
        m_pos = end + 1;
        return s;
    }
    bool parseBool()
    {
        if (m_text.compare(m_pos, 4, "True") == 0) {
            m_pos += 4;
            return true;
        }
        if (m_text.compare(m_pos, 5, "False") == 0) {
            m_pos += 5;
            return false;
        }
        fail("fortran_order must be True or False");
    }
    ArrayData::Shape parseShape()
    {
        expect('(', "the shape is not a tuple");
        ArrayData::Shape shape;
        while (true) {
            skipSpace();
            if (peek() == ')') {
                ++m_pos;
                break;
            }
            if (peek() == '-')
                fail("negative dimension in the shape");
            if (peek() < '0' || peek() > '9')
                fail("the shape holds something other than non-negative integers");
            std::uint64_t value = 0;
            int digits = 0;
            while (peek() >= '0' && peek() <= '9') {
                if (++digits > 19)
                    fail("a dimension in the shape is too large");
                value = value * 10 + std::uint64_t(peek() - '0');
                ++m_pos;
            }
            if (peek() == 'L') // Python 2 long
                ++m_pos;
            shape.push_back(value);
            if (shape.size() > NpyFile::kMaxRank)
                fail("more than " + std::to_string(NpyFile::kMaxRank) + " dimensions");
            skipSpace();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            skipSpace();
            expect(')', "expected ',' or ')' in the shape");
            break;
        }
        return shape;
    }

    const std::string& m_text;
    const std::string& m_path;
    std::size_t m_pos = 0;
};

// k of a '<Uk' / '=Uk' / '|Uk' descr (little-endian UTF-32), 0 when the descr is something else. Throws when k is
// zero, absurd or big-endian, so the caller never sizes anything from an unchecked number.
std::uint64_t parseUnicodeDescr(const std::string& descr, const std::string& path)
{
    if (descr.size() < 3 || descr[1] != 'U' || (descr[0] != '<' && descr[0] != '=' && descr[0] != '|' && descr[0] != '>'))
        return 0;
    std::uint64_t chars = 0;
    for (std::size_t i = 2; i < descr.size(); ++i) {
        if (descr[i] < '0' || descr[i] > '9' || i > 9)
            return 0;
        chars = chars * 10 + std::uint64_t(descr[i] - '0');
    }
    if (descr[0] == '>')
        throw InputError(path + ": big-endian string arrays (" + descr + ") are not supported");
    if (chars == 0 || chars > NpyReadOptions::kMaxUnicodeChars)
        throw InputError(path + ": string dtype " + FileText::quoted(descr) + " has " + std::to_string(chars) +
                         " characters per element (1 to " + std::to_string(NpyReadOptions::kMaxUnicodeChars) +
                         " supported)");
    return chars;
}

} // namespace

ArrayData NpyFile::read(const std::string& path, Options options) { return parse(MappedFile::open(path), options); }

ArrayData NpyFile::fromBuffer(const std::string& name, const std::uint8_t* data, std::size_t size, Options options)
{
    return parse(MappedFile::fromBuffer(name, data, size), options);
}

NpyHeader NpyFile::parseHeader(const std::uint8_t* bytes, std::uint64_t size, const std::string& path,
                               Options options)
{
    auto fail = [&](const std::string& problem) { return InputError(path + ": " + problem); };
    if (size < 10 || std::memcmp(bytes, kMagic, 6) != 0)
        throw fail(size < 10 && std::memcmp(bytes, kMagic, std::size_t(std::min<std::uint64_t>(size, 6))) == 0
                       ? "not a .npy file (" + std::to_string(size) + " bytes, shorter than its preamble)"
                       : "not a .npy file (no \\x93NUMPY magic string)");
    const int major = bytes[6], minor = bytes[7];
    if (major < 1 || major > 3 || minor != 0)
        throw fail("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                   " (supported: 1.0, 2.0, 3.0)");
    std::uint64_t headerBytes = 0, headerStart = 0;
    if (major == 1) {
        headerBytes = std::uint64_t(bytes[8]) | (std::uint64_t(bytes[9]) << 8);
        headerStart = 10;
    } else {
        if (size < 12)
            throw fail("truncated .npy file (the header length is cut off)");
        headerBytes = std::uint64_t(bytes[8]) | (std::uint64_t(bytes[9]) << 8) | (std::uint64_t(bytes[10]) << 16) |
                      (std::uint64_t(bytes[11]) << 24);
        headerStart = 12;
    }
    if (headerBytes > kMaxHeaderBytes)
        throw fail("the .npy header length " + std::to_string(headerBytes) + " exceeds the 1 MiB limit");
    if (headerBytes > size - headerStart)
        throw fail("truncated .npy file: the header needs " + std::to_string(headerBytes) + " bytes, only " +
                   std::to_string(size - headerStart) + " present");
    const std::string header(reinterpret_cast<const char*>(bytes + headerStart), std::size_t(headerBytes));
    for (unsigned char c : header)
        if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r'))
            throw fail(std::string("the .npy header contains ") + (c >= 0x80 ? "a non-ASCII" : "a control") +
                       " byte (0x" + "0123456789ABCDEF"[c >> 4] + "0123456789ABCDEF"[c & 15] + ")");
    HeaderParser parser(header, path);
    parser.parse();

    std::optional<DType> type = dtypeFromNpyDescr(*parser.descr);
    std::uint64_t unicodeChars = 0;
    if (!type && options.unicodeAsU32)
        unicodeChars = parseUnicodeDescr(*parser.descr, path);
    if (unicodeChars) {
        // k UTF-32 code units per element: an extra C-order dimension, which a Fortran-order array cannot have.
        if (*parser.fortran && parser.shape->size() > 1)
            throw fail("Fortran-order string arrays are not supported: save a C-order array (np.ascontiguousarray)");
        if (parser.shape->size() >= kMaxRank)
            throw fail("more than " + std::to_string(kMaxRank) + " dimensions");
        parser.shape->push_back(unicodeChars);
        *parser.fortran = false;
        type = DType::U32;
    }
    if (!type) {
        const std::string& d = *parser.descr;
        throw fail("unsupported dtype " + FileText::quoted(d) +
                   (d.size() == 3 && d[0] == '>' ? " (big-endian data is not supported)"
                    : d == "|O" || d == "O" ? " (object arrays need pickle, which is not supported)"
                                            : " (supported: |b1 |u1 |i1 <i2 <u2 <i4 <u4 <i8 <u8 <f2 <f4 <f8)"));
    }
    if (*type == DType::U16 && options.u2IsBf16)
        type = DType::BF16;
    NpyHeader result;
    result.dtype = *type;
    result.descr = *parser.descr;
    result.shape = *parser.shape;
    result.fortranOrder = *parser.fortran;
    result.dataOffset = headerStart + headerBytes;
    result.unicodeChars = unicodeChars;
    const auto count = ArrayData::elementCount(result.shape);
    const std::size_t itemSize = dtypeSize(*type);
    if (!count || *count > (std::uint64_t(1) << 62) / itemSize)
        throw fail("the .npy shape " + ArrayData::shapeText(result.shape) + " overflows");
    result.dataBytes = *count * itemSize;
    return result;
}

ArrayData NpyFile::parse(std::shared_ptr<const MappedFile> file, Options options)
{
    const std::string& path = file->path();
    const NpyHeader header = parseHeader(file->data(), file->size(), path, options);
    const std::uint64_t present = file->size() - header.dataOffset;
    if (header.dataBytes > present)
        throw InputError(path + ": truncated .npy file: shape " + ArrayData::shapeText(header.shape) + " of " +
                         header.descr + " needs " + std::to_string(header.dataBytes) + " data bytes, only " +
                         std::to_string(present) + " present");
    if (header.dataBytes < present)
        throw InputError(path + ": the .npy file has " + std::to_string(present - header.dataBytes) +
                         " bytes after the data its header declares (" + std::to_string(header.dataBytes) + " bytes)");
    const std::uint8_t* data = file->data() + header.dataOffset;
    return ArrayData::view(header.dtype, header.shape, std::move(file), data, header.fortranOrder);
}

std::string NpyFile::headerDict(const ArrayData& array)
{
    std::string shape = "(";
    for (std::size_t k = 0; k < array.rank(); ++k)
        shape += (k ? ", " : "") + std::to_string(array.shape()[k]);
    if (array.rank() == 1)
        shape += ",";
    shape += ")";
    const bool fortran = array.fortranOrder() && array.rank() > 1;
    return "{'descr': '" + dtypeNpyDescr(array.dtype()) + "', 'fortran_order': " + (fortran ? "True" : "False") +
           ", 'shape': " + shape + ", }";
}

std::string NpyFile::serialize(const ArrayData& array)
{
    std::string header = headerDict(array);
    // Like NumPy (>= 1.23): room for the growth axis to gain digits in place, then pad to 64 bytes with a newline.
    if (array.rank() > 0) {
        const bool fortran = array.fortranOrder() && array.rank() > 1;
        const std::size_t digits = std::to_string(array.shape()[fortran ? array.rank() - 1 : 0]).size();
        if (digits < 21)
            header.append(21 - digits, ' ');
    }
    // NumPy's _wrap_header: pad with 1..64 spaces so that preamble + header + '\n' is a multiple of 64.
    std::size_t preamble = 10;
    std::size_t padding = 64 - (preamble + header.size() + 1) % 64;
    if (header.size() + padding + 1 > 65535) {
        preamble = 12;
        padding = 64 - (preamble + header.size() + 1) % 64;
    }
    header.append(padding, ' ');
    header += '\n';
    std::string out(kMagic, 6);
    out += char(preamble == 10 ? 1 : 2);
    out += char(0);
    const std::uint64_t length = header.size();
    out += char(length & 0xFF);
    out += char((length >> 8) & 0xFF);
    if (preamble == 12) {
        out += char((length >> 16) & 0xFF);
        out += char((length >> 24) & 0xFF);
    }
    out += header;
    out.append(reinterpret_cast<const char*>(array.data()), std::size_t(array.byteSize()));
    return out;
}

void NpyFile::write(const std::string& path, const ArrayData& array)
{
    AtomicFileWriter::writeFile(path, serialize(array));
}

} // namespace featurescope
