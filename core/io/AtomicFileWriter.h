#pragma once

#include <cstddef>
#include <string>

namespace featurescope {

// Every save and export goes through here. The data goes to a temporary file "<name>.tmp-XXXXXX" in the target's
// folder; commit() flushes and fsyncs it, renames it over the target and fsyncs the folder, so after a crash or
// kill the target is either the old file or the new one, never a mix. Every failing step (create, write, flush,
// fsync, close, rename, folder fsync) throws InputError("<path>: cannot write the file (<reason>)").
// A target that is a symbolic link keeps its link: the link's final target is replaced, not the link.
// The temporary file is locked (flock) while it is written; temporary files of this pattern beside the target that
// nobody holds locked are left-overs of a killed save and are removed when the next writer starts.
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::string path);
    ~AtomicFileWriter(); // removes the temporary file unless committed
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(const void* data, std::size_t size);
    void write(const std::string& text) { write(text.data(), text.size()); }
    void commit();

    // The file that commit() replaces: `path`, or the final target when `path` is a symbolic link.
    const std::string& targetPath() const { return m_target; }

    // Writes `bytes` to `path` atomically.
    static void writeFile(const std::string& path, const std::string& bytes);
    // Follows symbolic links from `path` to the file they finally name (which need not exist yet).
    static std::string resolveLinks(const std::string& path);

private:
    [[noreturn]] void fail(int error) const;
    void removeStaleTemporaries() const;

    std::string m_path;   // as given, for messages
    std::string m_target; // what gets replaced
    std::string m_temporary;
    int m_fd = -1;
    bool m_committed = false;
};

} // namespace featurescope
