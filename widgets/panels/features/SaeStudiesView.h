#pragma once

#include "FeatureSnapshot.h"

#include <QTabWidget>

#include <functional>
#include <memory>

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
