#pragma once

#include <QString>

// Where featurescope keeps what it can rebuild: under the user's cache folder ($XDG_CACHE_HOME or ~/.cache),
// in featurescope/. The GUI and the command line use the same places.
class CacheFolders {
public:
    // The default language model and its SAE (featurescope::DefaultLanguageModel).
    static QString defaultLanguageModel();
};
