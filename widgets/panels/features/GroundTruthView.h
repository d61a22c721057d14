#pragma once

#include "FeatureSnapshot.h"
#include "experiments/GroundTruthComparison.h"

#include <QWidget>

#include <memory>

class GroundTruthCosinePlot;
class QComboBox;
class QTableWidget;
class StudyJobBar;

// The ground-truth view of the Feature activations panel: how an SAE recovers known true features. Either the
// absorption toy of Chanin et al. 2024 (4 orthogonal features in d = 50, feature 1 active only with feature 0) with an
// untied or a tied encoder, trained here in the background, or the panel's own SAE when its source has ground truth.
// Shows the encoder-versus-decoder cosine maps (GroundTruthCosinePlot) and a table of per-feature recovery numbers.
class GroundTruthView : public QWidget {
    Q_OBJECT
public:
    enum Preset { AbsorptionUntied, AbsorptionTied, PanelSae };

    explicit GroundTruthView(QWidget* parent = nullptr);
    ~GroundTruthView() override; // stops the running job before the members its deliveries use go

    // The experiment a toy preset trains (PanelSae has none: it reuses the panel's SAE).
    static featurescope::SaeExperimentConfig presetConfig(Preset preset);
    void setPreset(Preset preset);
    Preset preset() const;
    // The panel's latest finished SAE, for the PanelSae preset.
    void setPanelSnapshot(std::shared_ptr<const FeatureSnapshot> snapshot);
    void start(); // trains the preset (or compares the panel's SAE) in the background
    void cancel();
    bool isRunning() const;
    void waitForFinished();
    bool hasResult() const;
    const featurescope::GroundTruthComparison& comparison() const { return m_comparison; }
    QString caption() const { return m_caption.isEmpty() ? tr("Ground truth: not run yet") : m_caption; }
    QString subject() const { return m_subject; }
    // Shows a comparison (a session's): `subject` names what was compared, `caption` how it was made.
    void showComparison(const featurescope::GroundTruthComparison& comparison, const QString& subject, const QString& caption);

    GroundTruthCosinePlot* plot() const { return m_plot; }
    QTableWidget* table() const { return m_table; }
    StudyJobBar* jobBar() const { return m_bar; }

private:
    QComboBox* m_preset = nullptr;
    StudyJobBar* m_bar = nullptr;
    GroundTruthCosinePlot* m_plot = nullptr;
    QTableWidget* m_table = nullptr;
    std::shared_ptr<const FeatureSnapshot> m_snapshot;
    featurescope::GroundTruthComparison m_comparison;
    QString m_caption;
    QString m_subject;
};
