#pragma once

#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

// A fingerprint of the named files of a folder, "crc32:xxxxxxxx": a CRC-32 over each name, whether the file is
// there, its size and its bytes, in the order given. Sessions keep it beside a model's or an SAE's folder so that a
// restored view can say when the files changed since it was saved. CRC-32 notices accidental change (a retrained
// model, another download); it is not a defence against deliberate tampering.
class FolderChecksum {
public:
    // Throws InputError when a present file cannot be read, featurescope::Cancelled through `progress`.
    static std::string compute(const std::string& folder, const std::vector<std::string>& names,
                               const ProgressReporter* progress = nullptr);
};

} // namespace featurescope
