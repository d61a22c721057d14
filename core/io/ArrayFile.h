#pragma once

#include "io/ArrayData.h"
#include "io/NpyFile.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;
class NpzArchive;
class SafetensorsFile;

// Any file of named arrays featurescope imports: .npy (one array, named after the file), .npz or .safetensors. The
// format is recognised from the content (magic bytes), not the extension. Lists the arrays with their dtype and
// shape without reading their data, and reads one on demand. Problems throw InputError naming the file.
class ArrayFile {
public:
    enum class Format { Npy, Npz, Safetensors };
    struct Entry {
        std::string name;
        DType dtype = DType::F32;
        ArrayData::Shape shape;
        std::string describe() const; // "acts [100, 64] f32"
    };

    static ArrayFile open(const std::string& path, NpyReadOptions options = {}); // throws InputError
    static std::string formatName(Format format); // "npy", "npz", "safetensors"

    const std::string& path() const { return m_path; }
    Format format() const { return m_format; }
    const std::vector<Entry>& entries() const { return m_entries; }
    const Entry* find(const std::string& name) const;
    // safetensors __metadata__ (empty for the NumPy formats)
    std::map<std::string, std::string> metadata() const;
    // One array; throws InputError listing the arrays when `name` is not one of them.
    ArrayData array(const std::string& name, const ProgressReporter* progress = nullptr) const;
    // One array converted to float (C order) into out[0 .. its element count). Mapped formats convert from the
    // mapping; npz members inflate and convert chunk by chunk, so no whole raw copy is held beside `out`.
    void toFloat(const std::string& name, float* out, const ProgressReporter* progress = nullptr) const;

private:
    std::string m_path;
    Format m_format = Format::Npy;
    NpyReadOptions m_options;
    std::vector<Entry> m_entries;
    ArrayData m_npy;
    std::shared_ptr<NpzArchive> m_npz;
    std::shared_ptr<SafetensorsFile> m_safetensors;
};

} // namespace featurescope
