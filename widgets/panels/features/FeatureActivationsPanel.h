#pragma once

#include "SaeTrainingWorker.h"
#include "common/Panel.h"

#include <memory>

namespace featurescope {
class ImportedSae;
struct ImportedActivations;
} // namespace featurescope

class ControlView;
class FeatureControlsWidget;
class FeatureDetailView;
class FeatureFilterProxyModel;
class FeatureTableModel;
class FeatureDensityHistogram;
class LmFeaturesView;
class LossCurvePlot;
class MetricsStrip;
class SaeStudiesView;
class QLabel;
class QLineEdit;
class QTabWidget;
class QTableView;

// Feature activations (docs/ARCHITECTURE.md §5): train a sparse autoencoder on synthetic, toy-model or Fashion-MNIST MLP
// activations and browse its features offline, the way SAE-Vis / Neuronpedia do, plus the randomized-weights control
// of Towards Monosemanticity. Training runs in SaeTrainingWorker and the views follow it live (metrics strip, density
// histogram, feature table, feature view). Selecting a feature in the table, the density histogram or the
// nearest-features list selects it everywhere.
class FeatureActivationsPanel : public Panel {
    Q_OBJECT
public:
    explicit FeatureActivationsPanel(QWidget* parent = nullptr);
    ~FeatureActivationsPanel() override;

    QString title() const override { return tr("Feature activations"); }
    QString panelId() const override { return QStringLiteral("features"); }
    QStringList figureNames() const override;
    QWidget* figureWidget(const QString& name) override;
    void prepareForRender() override;
    void prepareFigureForRender(const QString& figure) override;
    bool isBusy() const override;
    void saveState(featurescope::PanelState& state) const override;
    void restoreState(const featurescope::PanelState& state) override;
    void preloadState(const featurescope::PanelState& state) const override; // reads an imported file off the GUI thread
    QString figureCaption(const QString& figure) const override;

    // Files (the main window's File menu and drops; the data was read off the GUI thread). Each validates first and
    // throws featurescope::InputError with one line, leaving the panel unchanged.
    // Shows the activations as the "Imported file" source and trains an SAE on them with that source's defaults.
    void importActivations(std::shared_ptr<const featurescope::ImportedActivations> activations);
    // Browses an SAE trained elsewhere on the current source's activations (its d_in must match them).
    void openSae(const featurescope::ImportedSae& sae, const QString& origin);
    // The SAE on screen in SAELens layout (cfg.json + sae_weights.safetensors + sparsity.safetensors).
    bool hasModel() const;
    void exportModel(const QString& directory) const;

    // For tests and sessions.
    FeatureControlsWidget* controls() const { return m_controls; }
    MetricsStrip* metricsStrip() const { return m_metrics; }
    FeatureTableModel* tableModel() const { return m_model; }
    FeatureFilterProxyModel* proxyModel() const { return m_proxy; }
    QTableView* tableView() const { return m_table; }
    FeatureDensityHistogram* densityPlot() const { return m_density; }
    FeatureDetailView* detailView() const { return m_detail; }
    ControlView* controlView() const { return m_control; }
    LossCurvePlot* lossPlot() const { return m_loss; }
    LmFeaturesView* lmView() const { return m_lm; }
    SaeStudiesView* studiesView() const { return m_studies; }
    void showLanguageModelTab();
    SaeTrainingWorker::Snapshot snapshot() const { return m_snapshot; }
    int selectedFeature() const { return m_selected; }
    void setSelectedFeature(int feature);
    void startTraining();
    void startControl();
    // Blocks until the running job (training or control) has finished and its results are shown.
    void waitForTraining();

public Q_SLOTS:
    void cancelWork() override;

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildDictionaryTab();
    void onSnapshot(const SaeTrainingWorker::Snapshot& snapshot);
    void onJobFinished(const QString& message, bool ok);
    void refreshLossPlot();
    void applySelection();
    QString runCaption() const;

    FeatureControlsWidget* m_controls = nullptr;
    SaeTrainingWorker* m_worker = nullptr;
    MetricsStrip* m_metrics = nullptr;
    QTabWidget* m_tabs = nullptr;
    QWidget* m_dictionaryTab = nullptr;
    FeatureDensityHistogram* m_density = nullptr;
    QLineEdit* m_search = nullptr;
    QLabel* m_searchNote = nullptr;
    QTableView* m_table = nullptr;
    FeatureTableModel* m_model = nullptr;
    FeatureFilterProxyModel* m_proxy = nullptr;
    FeatureDetailView* m_detail = nullptr;
    ControlView* m_control = nullptr;
    LossCurvePlot* m_loss = nullptr;
    LmFeaturesView* m_lm = nullptr;
    SaeStudiesView* m_studies = nullptr;

    std::unique_ptr<QWidget> m_exportCopy; // a parentless copy of a composite figure, laid out for export
    SaeTrainingWorker::Snapshot m_snapshot;
    int m_selected = -1;
    int m_restoredSelection = -1; // applied to the first snapshot of m_restoredRun (a restored session)
    int m_restoredRun = -1;
    bool m_userSelected = false;
    bool m_syncing = false; // guard: selection changes made by the panel are not user selections
    bool m_controlRunning = false;
    bool m_started = false;
};
