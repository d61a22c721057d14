#include "FeatureSessionState.h"

#include "FeatureSnapshot.h"
#include "ImportedActivationsHandoff.h"

#include "sae/SaeLensExporter.h"

#include <filesystem>

using featurescope::ActivationImport;
using featurescope::ActivationImportOptions;
using featurescope::ImportedActivations;
using featurescope::SaeExperimentConfig;

void FeatureSessionState::preload(const nlohmann::json& settings)
{
    try {
        SaeExperimentConfig::Source source;
        if (!settings.is_object() || !settings.contains("source") || !settings["source"].is_string() ||
            !SaeExperimentConfig::sourceFromName(settings["source"].get<std::string>(), &source) ||
            source != SaeExperimentConfig::Source::File)
            return;
        std::string path;
        ActivationImportOptions options;
        if (!SaeExperimentConfig::importRequest(settings, &path, &options))
            return;
        std::error_code error;
        if (!std::filesystem::is_regular_file(path, error))
            return;
        ImportedActivationsHandoff::put(options, std::make_shared<ImportedActivations>(ActivationImport::load(path, options)));
    } catch (const std::exception&) {
        // fromJson reads the same settings on the GUI thread and reports the problem there.
    }
}

nlohmann::json FeatureSessionState::toJson(const SaeExperimentConfig& config) { return config; }

SaeExperimentConfig FeatureSessionState::fromJson(const nlohmann::json& settings)
{
    return SaeExperimentConfig::fromJson(settings, [](const std::string& path, const ActivationImportOptions& options) {
        std::shared_ptr<const ImportedActivations> taken = ImportedActivationsHandoff::take(path, options);
        return taken ? taken : std::make_shared<const ImportedActivations>(ActivationImport::load(path, options));
    });
}

void FeatureSessionState::exportSae(const FeatureSnapshot& snapshot, const std::string& directory)
{
    nlohmann::json metadata = toJson(snapshot.config);
    metadata["source_description"] = snapshot.sourceDescription.toStdString();
    metadata["steps_done"] = snapshot.step;
    featurescope::SaeLensExporter::write(directory, *snapshot.sae, {{"featurescope", metadata}}, snapshot.densities);
}
