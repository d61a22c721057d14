#include "panels/features/ImportedActivationsHandoff.h"

#include <filesystem>
#include <mutex>

namespace {

// What identifies a read: the file as it is on disk and the options that chose its arrays.
std::string keyOf(const std::string& path, const featurescope::ActivationImportOptions& options)
{
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error)
        return {};
    const auto modified = std::filesystem::last_write_time(path, error);
    if (error)
        return {};
    return path + '\n' + options.arrayName + '\n' + options.labelsName + '\n' + options.tokensName + '\n' +
           options.sequenceIdsName + '\n' + std::to_string(size) + '\n' +
           std::to_string(modified.time_since_epoch().count());
}

std::mutex& mutex()
{
    static std::mutex m;
    return m;
}
std::string& storedKey()
{
    static std::string key;
    return key;
}
std::shared_ptr<featurescope::ImportedActivations>& stored()
{
    static std::shared_ptr<featurescope::ImportedActivations> activations;
    return activations;
}

} // namespace

void ImportedActivationsHandoff::put(const featurescope::ActivationImportOptions& options,
                                     std::shared_ptr<featurescope::ImportedActivations> activations)
{
    const std::string key = activations ? keyOf(activations->path, options) : std::string();
    const std::lock_guard lock(mutex());
    storedKey() = key;
    stored() = key.empty() ? nullptr : std::move(activations);
}

std::shared_ptr<featurescope::ImportedActivations>
ImportedActivationsHandoff::take(const std::string& path, const featurescope::ActivationImportOptions& options)
{
    const std::string key = keyOf(path, options);
    const std::lock_guard lock(mutex());
    if (key.empty() || key != storedKey() || !stored())
        return nullptr;
    storedKey().clear();
    return std::move(stored());
}
