#include "lm/TextCorpus.h"

#include "common/InputError.h"
#include "io/MappedFile.h"

#include <algorithm>
#include <filesystem>

namespace featurescope {

namespace fs = std::filesystem;

TextCorpus TextCorpus::load(const std::string& path)
{
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status))
        throw InputError(path + ": no such file or folder");
    TextCorpus corpus;
    if (fs::is_directory(status)) {
        for (const fs::directory_entry& entry : fs::directory_iterator(path, ec)) {
            const std::string name = entry.path().filename().string();
            const std::string ext = entry.path().extension().string();
            if (name.empty() || name[0] == '.' || ext == ".dat" || ext == ".u8" || !entry.is_regular_file(ec))
                continue;
            corpus.m_files.push_back(entry.path().string());
        }
        if (ec)
            throw InputError(path + ": cannot list the folder (" + ec.message() + ")");
        std::sort(corpus.m_files.begin(), corpus.m_files.end());
    } else {
        corpus.m_files.push_back(path);
    }
    std::uint64_t total = 0;
    for (const std::string& file : corpus.m_files) {
        const auto mapped = MappedFile::open(file);
        total += mapped->size();
        if (total > kMaxBytes)
            throw InputError(path + ": the corpus is larger than 1 GB");
        corpus.m_text.append(reinterpret_cast<const char*>(mapped->data()), std::size_t(mapped->size()));
    }
    if (corpus.m_text.empty())
        throw InputError(path + ": the corpus is empty");
    return corpus;
}

} // namespace featurescope
