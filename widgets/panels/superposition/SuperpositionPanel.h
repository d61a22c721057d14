#pragma once

#include "ToyTrainingWorker.h"
#include "common/Panel.h"
#include "toy/PhaseDiagram.h"

#include <QElapsedTimer>
#include <QTimer>

#include <memory>
#include <optional>

class FeatureArrowsPlot;
class FeatureDimensionalityPlot;
class ProjectionChooser;
class GramHeatmapPlot;
class LossCurvePlot;
class NeuronBarsPlot;
class NormBarsPlot;
class PhaseDiagramTab;
class ScaleInvarianceTab;
class StickyFractionPlot;
class ToyControlsWidget;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;

// Toy models of superposition, trained live: controls on the left, linked views on the right. Training runs in
// ToyTrainingWorker; the phase diagram in its own background job. Only the visible view redraws on each update.
class SuperpositionPanel : public Panel {
    Q_OBJECT
public:
    explicit SuperpositionPanel(QWidget* parent = nullptr);
    ~SuperpositionPanel() override;

    QString title() const override { return tr("Superposition geometry"); }
    QString panelId() const override { return QStringLiteral("superposition"); }
    QStringList figureNames() const override;
    QWidget* figureWidget(const QString& name) override;
    void prepareForRender() override;
    void prepareFigureForRender(const QString& figure) override;
    bool isBusy() const override;
    QStringList presetIds() const override;
    bool selectPreset(const QString& id) override;
    // Sessions: the controls, the trained weights, loss history and snapshots of every instance (so every tab redraws
    // without retraining), the selection, tab, time slider, phase-diagram and scale-lab settings.
    void saveState(featurescope::PanelState& state) const override;
    void restoreState(const featurescope::PanelState& state) override;
    QString figureCaption(const QString& figure) const override;

    // For tests and sessions.
    ToyControlsWidget* controls() const { return m_controls; }
    std::shared_ptr<const featurescope::ToyTrainingResult> result() const { return m_result; }
    int selectedFeature() const { return m_selectedFeature; }
    int selectedInstance() const { return m_selectedInstance; }
    void setSelectedFeature(int feature);
    void setSelectedInstance(int instance);
    void startTraining();
    void waitForTraining();
    void computePhaseDiagram();
    void waitForPhaseDiagram();

public Q_SLOTS:
    void cancelWork() override;

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildGeometryTab();
    void onTrainingUpdated(const ToyTrainingWorker::Result& result);
    void redrawTrainingState();
    void clearFigures(); // before training a model of another shape
    void onParametersChanged();
    void refreshCurrentView();
    void refreshInstanceChoices();
    void refreshSummary();
    void refreshDimensionality(const std::vector<featurescope::ToyInstance>& instances);
    std::vector<featurescope::ToyInstance> displayedInstances() const;
    // True when the views show the current weights and m_result carries their measures and geometry (analysed on
    // the training thread), false while replaying a snapshot.
    bool showsLiveState() const;
    QStringList instanceTitles() const;
    void stopTrainingNow();

    ToyControlsWidget* m_controls = nullptr;
    ToyTrainingWorker* m_worker = nullptr;
    QTabWidget* m_tabs = nullptr;
    QLabel* m_summary = nullptr;
    QComboBox* m_instanceChoice = nullptr;
    FeatureArrowsPlot* m_arrows = nullptr;
    FeatureDimensionalityPlot* m_dimensionality = nullptr;
    ProjectionChooser* m_projection = nullptr;
    QSlider* m_timeSlider = nullptr;
    QLabel* m_timeLabel = nullptr;
    GramHeatmapPlot* m_heatmap = nullptr;
    NormBarsPlot* m_norms = nullptr;
    StickyFractionPlot* m_sticky = nullptr;
    LossCurvePlot* m_loss = nullptr;
    NeuronBarsPlot* m_neurons = nullptr;
    QLabel* m_neuronNote = nullptr;
    ScaleInvarianceTab* m_scaleLab = nullptr;
    PhaseDiagramTab* m_phaseTab = nullptr;
    QTimer m_retrainTimer;
    // Live updates are redrawn at most once per max(50 ms, 4 x the last redraw's cost), so a heavy view (hundreds of
    // features in many instances) cannot keep the event loop busy; the final state is always drawn.
    QTimer m_redrawTimer;
    QElapsedTimer m_sinceRedraw;
    qint64 m_redrawIntervalMs = 0;

    std::shared_ptr<const featurescope::ToyTrainingResult> m_result;
    int m_snapshotIndex = -1; // -1: follow training live
    int m_selectedFeature = -1;
    int m_selectedInstance = 0;
    bool m_started = false;
};
