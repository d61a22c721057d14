#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

namespace featurescope {

// Writes a file atomically: the data goes to a temporary file beside the target, which replaces the target only
// on commit() (rename), so a failed or interrupted export never leaves a half-written file. Errors throw
// InputError("<path>: cannot write ... (<reason>)").
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::string path);
    ~AtomicFileWriter(); // removes the temporary file unless committed
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(const void* data, std::size_t size);
    void write(const std::string& text) { write(text.data(), text.size()); }
    void commit();

    // Writes `bytes` to `path` atomically.
    static void writeFile(const std::string& path, const std::string& bytes);

private:
    std::string m_path;
    std::string m_temporary;
    std::FILE* m_file = nullptr;
    bool m_committed = false;
};

} // namespace featurescope
