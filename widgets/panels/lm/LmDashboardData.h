#pragma once

#include "LmFeatureSummary.h"
#include "lm/GptHookPoint.h"
#include "lmfeatures/FeatureDashboard.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace featurescope {
class ImportedSae;
class LanguageModel;
class ProgressReporter;
} // namespace featurescope

// Everything the LM features view shows, built off the GUI thread by build(): the model, the SAE, the dashboard
// scanned over the corpus and one LmFeatureSummary per feature. Immutable once built, so the GUI thread (cards,
// prompts) and a background job (steering) may read it at the same time; shared by std::shared_ptr, which keeps the
// model and SAE alive as long as anything uses them.
class LmDashboardData {
public:
    struct Request {
        QString modelDir;
        QString saeDir;
        QString corpusPath;
        QString hook; // empty: the SAE's cfg.json hook_name, else blocks.0.mlp.hook_post
        std::uint64_t tokens = 16384;
        int context = 0; // 0: the smaller of n_positions and 128
        // FolderChecksum of the model's and the SAE's files when they were scanned (empty: not known).
        QString modelChecksum;
        QString saeChecksum;
    };

    // Loads the folders and the corpus, scans and summarises. Throws featurescope::InputError with one line (a
    // folder that does not hold a model or an SAE, an SAE whose width is not the hook's, an empty corpus) or
    // featurescope::Cancelled through `progress`.
    static std::shared_ptr<const LmDashboardData> build(const Request& request, const featurescope::ProgressReporter& progress);
    // The same from a model and SAE in memory and the corpus text (tests, or a model trained in the app).
    static std::shared_ptr<const LmDashboardData> build(std::shared_ptr<const featurescope::LanguageModel> lm,
                                                        std::shared_ptr<const featurescope::ImportedSae> sae,
                                                        const Request& request, const std::string& corpusText,
                                                        const featurescope::ProgressReporter& progress);

    // The hook an SAE folder asks for: its cfg.json hook_name (top level or under metadata), else empty. Reads only
    // cfg.json; never throws.
    static QString hookNameOf(const QString& saeDir);
    static QString defaultHook() { return QStringLiteral("blocks.0.mlp.hook_post"); }
    // A token as text: its bytes as UTF-8 when they are valid, else each byte as \xNN.
    static QString tokenText(const std::string& bytes);
    // A token for reading in tables and axes: spaces as ␣, newlines as ↵, tabs as →.
    static QString visible(const QString& token);

    const featurescope::LanguageModel& model() const { return *m_lm; }
    const featurescope::ImportedSae& sae() const { return *m_sae; }
    const featurescope::FeatureDashboard& dashboard() const { return *m_dashboard; }
    const featurescope::GptHookPoint& hook() const { return m_hook; }
    const Request& request() const { return m_request; }
    int features() const { return int(m_summaries.size()); }
    // False when the vocabulary and the SAE are too large to compute every feature's top logits for the table
    // (each card still shows its own).
    bool tableHasLogits() const { return m_tableLogits; }
    const std::vector<LmFeatureSummary>& summaries() const { return m_summaries; }
    QString token(int id) const; // tokenText(), control characters other than newline and tab as \xNN

    // The options every card of the view is built with (10 examples, ±8 tokens, 5 quantile groups, 10 logits).
    static featurescope::CardOptions cardOptions();
    featurescope::FeatureCard card(int feature) const { return m_dashboard->card(feature, cardOptions()); }

private:
    LmDashboardData() = default;

    Request m_request;
    std::shared_ptr<const featurescope::LanguageModel> m_lm;
    std::shared_ptr<const featurescope::ImportedSae> m_sae;
    featurescope::GptHookPoint m_hook;
    std::unique_ptr<featurescope::FeatureDashboard> m_dashboard;
    std::vector<LmFeatureSummary> m_summaries;
    bool m_tableLogits = true;
};
