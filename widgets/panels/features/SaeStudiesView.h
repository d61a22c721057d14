#pragma once

#include "FeatureSnapshot.h"

#include "experiments/GroundTruthComparison.h"
#include "experiments/SaeFeatureSplitting.h"
#include "experiments/SaeSweep.h"

#include <QTabWidget>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>

class FeatureSplittingView;
class GroundTruthView;
class SweepView;

// The "Studies" tab of the Feature activations panel: experiments over many SAEs rather than one, each in its own
// tab and each run in the background with progress and Cancel: a sweep of recipes (SweepView), feature splitting
// across widths (FeatureSplittingView) and recovery of known true features (GroundTruthView). It hands the panel its
// figures for export and `featurescope render`, and with a Panel for parent, its work reaches the panel's work signals.
class SaeStudiesView : public QTabWidget {
    Q_OBJECT
public:
    enum Tab { SweepTab, SplittingTab, GroundTruthTab };

    explicit SaeStudiesView(QWidget* parent = nullptr);

    // The panel's current activation source and recipe (the sweep and splitting views train on it).
    void setBaseConfig(std::function<featurescope::SaeExperimentConfig()> baseConfig);
    void setPanelSnapshot(std::shared_ptr<const FeatureSnapshot> snapshot);

    // sweep, feature-splitting, ground-truth
    static QStringList figureNames();
    QWidget* figureWidget(const QString& name) const;
    // Shows the figure's tab and, when it has nothing to show yet, runs its default experiment and waits for it.
    void prepareForRender(const QString& figure);
    QString figureCaption(const QString& figure) const;
    bool isBusy() const;
    void cancel();

    // Sessions keep the results on screen (not the forms), so a restored session and `render --session` draw them
    // without running anything.
    struct State {
        int tab = SweepTab;
        std::vector<featurescope::SaeSweepSeries> sweep;
        std::string sweepMetric = "mse";
        std::optional<featurescope::SaeSplittingResult> splitting;
        QString splittingCaption;
        std::optional<featurescope::GroundTruthComparison> groundTruth;
        QString groundTruthSubject, groundTruthCaption;
    };
    nlohmann::json saveState() const;
    // Validates (featurescope::InputError with one line) without changing anything; null is the empty state.
    static State readState(const nlohmann::json& j);
    void restoreState(const State& state);

    SweepView* sweepView() const { return m_sweep; }
    FeatureSplittingView* splittingView() const { return m_splitting; }
    GroundTruthView* groundTruthView() const { return m_groundTruth; }

Q_SIGNALS:
    void workStarted(const QString& description);
    void workProgress(double fraction, const QString& message);
    void workFinished(const QString& message);

private:
    SweepView* m_sweep = nullptr;
    FeatureSplittingView* m_splitting = nullptr;
    GroundTruthView* m_groundTruth = nullptr;
};
