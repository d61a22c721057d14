#pragma once

#include "session/Session.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace featurescope {

// The session file (docs/ARCHITECTURE.md §3): one file, `<name>.fss`, that is a safetensors container. Its __metadata__ entry
// "featurescope-session" holds the session JSON
//   {"format": "featurescope-session", "version": 1, "app_version", "saved_at", "theme", "current_panel",
//    "panels": {panelId: settings}}
// and its tensors are every panel's arrays, named "<panelId>/<name>".
//
// Why one file rather than JSON plus a sidecar weights file: a single rename replaces it atomically, so a crash or
// SIGKILL mid-save leaves either the old or the new session, never a JSON that points at missing or mismatched
// weights; it is one attachment to share; and Python reads the weights with the safetensors package as they are.
// A plain JSON document (no arrays) is read too: hand-written sessions and the version-0 layout are plain JSON.
//
// Reading treats the file as hostile: the size is bounded, the safetensors layer checks every tensor, the JSON must
// be UTF-8, at most kMaxJsonDepth deep, name known panels' ids sanely, and every problem throws InputError with one
// line naming the file. Version 0 (panels as a list, "panel" for the current panel, no app_version) is migrated;
// a version above kVersion says the file was made by a newer featurescope.
class SessionFile {
public:
    static constexpr int kVersion = 1;
    static constexpr const char* kFormat = "featurescope-session";
    static constexpr const char* kMetadataKey = "featurescope-session";
    static constexpr std::uint64_t kMaxFileBytes = 4'000'000'000ull; // the weights of a 400 x 30 sweep are ~25 MB
    static constexpr std::uint64_t kMaxJsonBytes = 64'000'000;
    static constexpr int kMaxJsonDepth = 64;
    static constexpr std::size_t kMaxPanels = 64;
    static constexpr std::size_t kMaxIdLength = 64;

    // Writes atomically (temporary file, fsync, rename). Throws InputError naming the file on a write error or a
    // bad panel id / array name.
    static void save(const std::string& path, const Session& session);
    // The bytes save() writes.
    static std::string serialize(const Session& session);

    static Session load(const std::string& path);
    // Parses bytes in memory (`name` appears in messages); used by the fuzzer and tests.
    static Session parse(const std::string& name, const std::uint8_t* data, std::size_t size);
};

} // namespace featurescope
