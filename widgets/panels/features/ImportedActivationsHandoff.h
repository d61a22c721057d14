#pragma once

#include "sae/ActivationImport.h"

#include <memory>
#include <string>

// Passes activations read on a worker thread (while a session file opens in the background) to the features panel's
// restore on the GUI thread, so a session with an imported file does not read that file on the GUI thread. It holds
// one entry, handed out once, and only while the file is unchanged (same size and modification time).
class ImportedActivationsHandoff {
public:
    static void put(const featurescope::ActivationImportOptions& options,
                    std::shared_ptr<featurescope::ImportedActivations> activations);
    // The activations put for this file and these options, or nullptr (then the caller reads the file itself).
    static std::shared_ptr<featurescope::ImportedActivations> take(const std::string& path,
                                                                  const featurescope::ActivationImportOptions& options);
};
