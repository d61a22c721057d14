#include "lm/LmHarvester.h"

#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "io/ArrayData.h"
#include "common/Cancelled.h"
#include "io/NpyFile.h"
#include "lm/GptHookPoint.h"
#include "lm/LanguageModel.h"

#include <zip.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

namespace featurescope {

namespace {

constexpr int kBatch = 16;

// An npy version 1.0 header for `descr` and `shape`, padded with spaces to a multiple of 64 bytes.
std::string npyHeader(const std::string& descr, const std::vector<std::uint64_t>& shape)
{
    std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i)
        dict += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
    dict += "), }";
    const std::size_t total = 10 + dict.size() + 1;
    dict += std::string((64 - total % 64) % 64, ' ') + "\n";
    std::string header = "\x93NUMPY";
    header += char(1);
    header += char(0);
    header += char(dict.size() & 0xFF);
    header += char((dict.size() >> 8) & 0xFF);
    return header + dict;
}

std::vector<char32_t> codePoints(const std::string& s)
{
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char b = static_cast<unsigned char>(s[i]);
        int extra = b < 0x80 ? 0 : (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : -1;
        char32_t c = extra == 0 ? b : extra == 1 ? (b & 0x1F) : extra == 2 ? (b & 0x0F) : (b & 0x07);
        bool ok = extra >= 0 && i + std::size_t(extra) < s.size();
        for (int k = 1; ok && k <= extra; ++k) {
            const unsigned char n = static_cast<unsigned char>(s[i + std::size_t(k)]);
            ok = (n & 0xC0) == 0x80;
            c = (c << 6) | (n & 0x3F);
        }
        if (!ok || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
            out.push_back(0xFFFD);
            i += 1;
        } else {
            out.push_back(c);
            i += std::size_t(extra) + 1;
        }
    }
    return out;
}

struct ZipCloser {
    zip_t* archive;
    ~ZipCloser()
    {
        if (archive)
            zip_discard(archive);
    }
};

void addBuffer(zip_t* archive, const std::string& name, const std::string& bytes, const std::string& path)
{
    zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    if (!source || zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE) < 0) {
        if (source)
            zip_source_free(source);
        throw InputError(path + ": cannot add " + name + " (" + zip_strerror(archive) + ")");
    }
}

// Runs `windows` consecutive windows of `stream` (each `context` tokens, BOS first when given) through the model,
// kBatch windows per forward pass; after each pass `done(first window, batch, ids)` sees what the hooks just saw.
template <class Done>
void forEachBatch(const LanguageModel& lm, const std::vector<int>& stream, std::uint64_t windows, int context,
                  std::optional<int> bos, const GptHooks& hooks, const ProgressReporter* progress, Done done)
{
    const int body = context - (bos ? 1 : 0);
    GptActivations activations;
    std::vector<int> ids;
    for (std::uint64_t first = 0; first < windows; first += kBatch) {
        if (progress && progress->isCancelled())
            throw Cancelled();
        const int batch = int(std::min<std::uint64_t>(kBatch, windows - first));
        ids.assign(std::size_t(batch) * std::size_t(context), bos.value_or(0));
        for (int b = 0; b < batch; ++b)
            std::copy_n(stream.begin() + std::ptrdiff_t((first + std::uint64_t(b)) * std::uint64_t(body)), body,
                        ids.begin() + std::ptrdiff_t(std::size_t(b) * std::size_t(context) + (bos ? 1 : 0)));
        lm.model().forward(ids.data(), batch, context, activations, &hooks);
        done(first, batch, ids);
        if (progress)
            progress->report(double(first + std::uint64_t(batch)) / double(windows), "harvesting");
    }
}

} // namespace

std::string LmHarvester::unicodeNpy(const std::vector<std::string>& strings)
{
    std::vector<std::vector<char32_t>> decoded;
    decoded.reserve(strings.size());
    std::size_t width = 1;
    for (const std::string& s : strings) {
        decoded.push_back(codePoints(s));
        width = std::max(width, decoded.back().size());
    }
    std::string bytes = npyHeader("<U" + std::to_string(width), {std::uint64_t(strings.size())});
    const std::size_t start = bytes.size();
    bytes.resize(start + decoded.size() * width * 4, '\0');
    for (std::size_t r = 0; r < decoded.size(); ++r)
        for (std::size_t i = 0; i < decoded[r].size(); ++i) {
            const char32_t c = decoded[r][i];
            char* p = bytes.data() + start + (r * width + i) * 4;
            p[0] = char(c & 0xFF);
            p[1] = char((c >> 8) & 0xFF);
            p[2] = char((c >> 16) & 0xFF);
            p[3] = char((c >> 24) & 0xFF);
        }
    return bytes;
}

Eigen::MatrixXf LmHarvester::collect(const LanguageModel& lm, const std::vector<int>& stream, const GptHookPoint& hook,
                                     int context, std::uint64_t maxTokens, bool prependBos,
                                     const ProgressReporter* progress)
{
    const std::optional<int> bos = prependBos ? lm.tokenizer().bosId() : std::nullopt;
    const int body = context - (bos ? 1 : 0);
    if (context > lm.model().config().positions || body < 1)
        throw InputError("a window of " + std::to_string(context) + " tokens does not fit the model (n_positions " +
                         std::to_string(lm.model().config().positions) + ")");
    const std::uint64_t windows = std::min<std::uint64_t>(stream.size() / std::uint64_t(body),
                                                          maxTokens / std::uint64_t(context));
    if (windows == 0)
        throw InputError("the text has " + std::to_string(stream.size()) + " tokens, fewer than one window of " +
                         std::to_string(body) + " (or the token budget is below one window)");
    Eigen::MatrixXf out(hook.width(lm.model().config()), Eigen::Index(windows * std::uint64_t(context)));
    Eigen::Index filled = 0;
    GptHooks hooks;
    hooks.add(hook, [&](RowMatrixMap a, int, int) {
        out.middleCols(filled, a.rows()) = a.transpose();
        filled += a.rows();
    });
    forEachBatch(lm, stream, windows, context, bos, hooks, progress, [](std::uint64_t, int, const std::vector<int>&) {});
    return out;
}

HarvestResult LmHarvester::run(const LanguageModel& lm, const std::string& corpusText, const HarvestSettings& s,
                               const std::string& outPath, ProgressReporter* progress)
{
    const GptModel& model = lm.model();
    const GptConfig& config = model.config();
    const GptHookPoint point = GptHookPoint::parse(s.hook, config.layers);
    const int context = s.context > 0 ? s.context : config.positions;
    if (context > config.positions)
        throw InputError("--context " + std::to_string(context) + " is longer than the model's n_positions = " +
                         std::to_string(config.positions));
    const bool bos = s.prependBos && lm.tokenizer().bosId().has_value();
    const int body = context - (bos ? 1 : 0);
    if (body < 1)
        throw InputError("--context must leave room for at least one token after BOS");
    const std::vector<int> stream = lm.tokenizer().encode(corpusText);
    const std::uint64_t available = stream.size() / std::uint64_t(body);
    const std::uint64_t wanted = (s.maxTokens + std::uint64_t(context) - 1) / std::uint64_t(context);
    const std::uint64_t windows = std::min(available, wanted);
    if (windows == 0)
        throw InputError("the corpus has " + std::to_string(stream.size()) + " tokens, fewer than one window of " +
                         std::to_string(body));
    const int width = point.width(config);
    const std::uint64_t rows = windows * std::uint64_t(context);

    HarvestResult result{rows, windows, width};
    std::vector<std::int64_t> tokenIds(rows), sequenceIds(rows);
    std::vector<std::string> tokenStrings(rows);
    const std::string actsPath = outPath + ".acts.partial.npy";
    const std::string zipPath = outPath + ".partial";
    struct Cleanup {
        std::string a, b;
        ~Cleanup()
        {
            std::error_code ec;
            std::filesystem::remove(a, ec);
            std::filesystem::remove(b, ec);
        }
    } cleanup{actsPath, zipPath};
    {
        std::ofstream acts(actsPath, std::ios::binary | std::ios::trunc);
        if (!acts)
            throw InputError(outPath + ": cannot write the temporary file " + actsPath);
        acts << npyHeader("<f4", {rows, std::uint64_t(width)});
        RowMatrixF captured;
        GptHooks hooks;
        hooks.setFoldFinalNorm(s.foldLn);
        hooks.add(point, [&captured](RowMatrixMap a, int, int) { captured = a; });
        const std::optional<int> bosId = bos ? lm.tokenizer().bosId() : std::nullopt;
        forEachBatch(lm, stream, windows, context, bosId, hooks, progress,
                     [&](std::uint64_t first, int batch, const std::vector<int>& ids) {
                         for (int b = 0; b < batch; ++b)
                             for (int t = 0; t < context; ++t) {
                                 const std::uint64_t w = first + std::uint64_t(b);
                                 const std::uint64_t r = w * std::uint64_t(context) + std::uint64_t(t);
                                 tokenIds[r] = ids[std::size_t(b) * std::size_t(context) + std::size_t(t)];
                                 sequenceIds[r] = std::int64_t(w);
                                 tokenStrings[r] = lm.tokenizer().tokenBytes(int(tokenIds[r]));
                             }
                         if (s.center)
                             captured.colwise() -= captured.rowwise().mean();
                         acts.write(reinterpret_cast<const char*>(captured.data()),
                                    std::streamsize(captured.size() * sizeof(float)));
                         if (!acts)
                             throw InputError(outPath + ": write error (disk full?)");
                     });
    }

    int error = 0;
    zip_t* archive = zip_open(zipPath.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    if (!archive)
        throw InputError(outPath + ": cannot create the archive");
    ZipCloser closer{archive};
    zip_source_t* actsSource = zip_source_file(archive, actsPath.c_str(), 0, -1);
    if (!actsSource)
        throw InputError(outPath + ": cannot read back " + actsPath);
    const zip_int64_t actsIndex = zip_file_add(archive, "acts.npy", actsSource, ZIP_FL_OVERWRITE);
    if (actsIndex < 0) {
        zip_source_free(actsSource);
        throw InputError(outPath + ": cannot add acts.npy (" + zip_strerror(archive) + ")");
    }
    zip_set_file_compression(archive, zip_uint64_t(actsIndex), ZIP_CM_STORE, 0); // floats barely compress
    const std::string tokensNpy = unicodeNpy(tokenStrings);
    const std::string idsNpy = npyHeader("<i8", {rows}) +
                               std::string(reinterpret_cast<const char*>(tokenIds.data()), rows * sizeof(std::int64_t));
    const std::string seqNpy = npyHeader("<i8", {rows}) +
                               std::string(reinterpret_cast<const char*>(sequenceIds.data()), rows * sizeof(std::int64_t));
    addBuffer(archive, "tokens.npy", tokensNpy, outPath);
    addBuffer(archive, "token_ids.npy", idsNpy, outPath);
    addBuffer(archive, "sequence_ids.npy", seqNpy, outPath);
    if (zip_close(archive) < 0)
        throw InputError(outPath + ": cannot write the archive (" + zip_strerror(archive) + ")");
    closer.archive = nullptr;
    std::error_code ec;
    std::filesystem::rename(zipPath, outPath, ec);
    if (ec)
        throw InputError(outPath + ": cannot move the archive into place (" + ec.message() + ")");
    return result;
}

} // namespace featurescope
