#pragma once

#include "session/PanelState.h"

#include <map>
#include <string>

namespace featurescope {

// Everything a session file holds: which featurescope wrote it, when, the theme and the panel on screen, and each
// panel's state by panel id ("superposition", "features", "energy"). Core does not interpret the theme or the
// panel states: the app and the panels validate them.
struct Session {
    std::string appVersion;   // featurescope version that wrote the file ("" = unknown)
    std::string savedAt;      // ISO 8601 UTC; filled in by SessionFile::serialize when empty
    std::string theme;        // "light", "dark", "presentation" ("" = keep the current one)
    std::string currentPanel; // "" = keep the current one
    std::map<std::string, PanelState> panels;
    int loadedVersion = 0;    // the format version the file had on disk (older ones are migrated on load)
};

} // namespace featurescope
