#pragma once

#include "LmControlView.h"
#include "LmDashboardData.h"

#include <QWidget>

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <memory>
#include <optional>

class BackgroundJob;
class LmFeatureCardView;
class LmFeatureFilterProxyModel;
class LmFeatureTableModel;
class LmPromptView;
class LmSourceForm;
class LmSteeringView;
class QLabel;
class QLineEdit;
class QTabWidget;
class QTableView;

// Language-model features (the "Language model" tab of the Feature activations panel): an SAELens SAE on a hook
// of a GPT-2-style model, scanned over a corpus in the background (LmDashboardData), then browsed the way SAE-Vis
// and Neuronpedia do: a sortable feature table searchable by token, the selected feature's dashboard, a prompt view
// (which features fire on each token of typed text) and steering. Selecting a feature anywhere (table, nearest or
// co-firing lists, prompt view) selects it everywhere. The randomized-control tab compares SAEs on the model and on
// randomized copies of it.
class LmFeaturesView : public QWidget {
    Q_OBJECT
public:
    enum Tab { DashboardTab, PromptTab, SteeringTab, ControlTab };

    // What a session keeps: the sources (by path), the selection, the search, the open tab and the steering settings.
    struct State {
        LmDashboardData::Request request;
        bool scanned = false; // the sources were scanned when saved: restoring scans them again
        int selected = -1;
        QString search;
        int tab = DashboardTab;
        QString steerPrompt;
        double strength = 10.0;
        bool clamp = false;
        int seed = 0;
        LmControlView::State control;
    };

    // With a Panel for parent, the scan's start, progress and end reach the panel's work signals (the main window's
    // status bar).
    explicit LmFeaturesView(QWidget* parent = nullptr);
    ~LmFeaturesView() override;

    // Sessions. readState validates (featurescope::InputError with one line) without changing anything; a missing
    // or null value is the default state.
    nlohmann::json saveState() const;
    static State readState(const nlohmann::json& j);
    void restoreState(const State& state); // rescans in the background when the saved view had scanned

    // Figures for export and `featurescope render`: feature-dashboard, feature-histogram, logit-effects, prompt,
    // steering, lm-control. Composite ones are parentless copies, which the exporter lays out at any size.
    static QStringList figureNames();
    QWidget* figureWidget(const QString& name);
    // Waits for a running scan or control (and, for the steering figure, generates when nothing was generated yet).
    void prepareForRender(const QString& figure);
    QString figureCaption(const QString& figure) const;

    void setRequest(const LmDashboardData::Request& request);
    // Scans what the form names, in the background. The result replaces the data shown; errors go to the form's
    // status line and change nothing.
    void startScan();
    // Scans the default model and SAE from the cache folder (CacheFolders::defaultLanguageModel(), or `cacheFolder`),
    // training them on the form's corpus first when they are missing; the form then names them.
    void startDefaultScan(const QString& cacheFolder = QString());
    void cancelScan();
    void waitForScan(); // blocks until the scan has finished and its result is shown
    bool isBusy() const;
    // Shows data built elsewhere (tests; a model and SAE held in memory).
    void setData(std::shared_ptr<const LmDashboardData> data);
    std::shared_ptr<const LmDashboardData> data() const { return m_data; }

    void selectFeature(int feature);
    int selectedFeature() const { return m_selected; }
    void setSearch(const QString& text);
    void showTab(Tab tab);

    LmSourceForm* form() const { return m_form; }
    QTableView* tableView() const { return m_table; }
    LmFeatureTableModel* tableModel() const { return m_model; }
    LmFeatureFilterProxyModel* proxyModel() const { return m_proxy; }
    QLineEdit* searchEdit() const { return m_search; }
    LmFeatureCardView* cardView() const { return m_card; }
    LmPromptView* promptView() const { return m_prompt; }
    LmSteeringView* steeringView() const { return m_steering; }
    LmControlView* controlView() const { return m_control; }
    QTabWidget* tabs() const { return m_tabs; }

Q_SIGNALS:
    void workStarted(const QString& description);
    void workProgress(double fraction, const QString& message);
    void workFinished(const QString& message);

private:
    void runScan(const LmDashboardData::Request& request, const QString& defaultCache);
    void updateSearchNote();
    void syncTableSelection();
    // A warning when a restored session's model or SAE files differ from the ones it saved (empty: none).
    QString changedSinceSaved(const LmDashboardData::Request& scanned) const;

    LmSourceForm* m_form = nullptr;
    BackgroundJob* m_job = nullptr;
    QLineEdit* m_search = nullptr;
    QLabel* m_searchNote = nullptr;
    QTableView* m_table = nullptr;
    LmFeatureTableModel* m_model = nullptr;
    LmFeatureFilterProxyModel* m_proxy = nullptr;
    QTabWidget* m_tabs = nullptr;
    LmFeatureCardView* m_card = nullptr;
    LmPromptView* m_prompt = nullptr;
    LmSteeringView* m_steering = nullptr;
    LmControlView* m_control = nullptr;
    std::shared_ptr<const LmDashboardData> m_data;
    int m_selected = -1;
    int m_pendingSelection = -1; // a restored session's feature, selected once its scan is shown
    std::optional<LmDashboardData::Request> m_savedSources; // a restored session's sources, until its scan is shown
    bool m_scanned = false;      // this view's data came from a scan of the form's sources
    std::map<QString, std::unique_ptr<QWidget>> m_exportCopies;
    bool m_syncing = false; // guard: table selection changes made by the view itself
};
