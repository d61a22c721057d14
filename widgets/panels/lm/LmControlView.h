#pragma once

#include "LmDashboardData.h"
#include "lmfeatures/LmControlExperiment.h"

#include <QWidget>

#include <nlohmann/json_fwd.hpp>

#include <vector>

class BackgroundJob;
class LmControlPlot;
class QCheckBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

// The randomized-transformer control (the "Randomized control" tab of the language-model view): an SAE trained on
// the model's hook and on three randomized copies of the model (shuffled, re-initialised, untrained), each spliced
// back in on held-out text and measured by the interpretability proxies. Runs in the background; the results
// stay in the session, so a restored session shows them without running again.
class LmControlView : public QWidget {
    Q_OBJECT
public:
    // Settings and results a session keeps.
    struct State {
        int tokens = 32768;
        int latents = 512;
        int steps = 600;
        int seed = 1;
        bool keepEmbeddings = false;
        QString source; // what the results were measured on (model, hook, corpus)
        std::vector<featurescope::LmControlResult> results;
    };

    explicit LmControlView(QWidget* parent = nullptr);
    ~LmControlView() override;

    // Runs all four arms for the model, corpus and hook of `request` (an empty hook: the SAE's, else the default).
    void start(const LmDashboardData::Request& request);
    void cancel();
    bool isRunning() const;
    void waitForFinished();

    void setResults(const std::vector<featurescope::LmControlResult>& results, const QString& source);
    const std::vector<featurescope::LmControlResult>& results() const { return m_results; }
    QString source() const { return m_source; }

    // Sessions: readState validates (featurescope::InputError, one line) without changing anything; null is the
    // default state.
    nlohmann::json saveState() const;
    static State readState(const nlohmann::json& j);
    void restoreState(const State& state);

    // The proxies shown, in column and group order.
    struct Proxy {
        std::string key; // in InterpretabilityProxies::toJson()
        QString column;  // table header
        QString label;   // bar-group label (may break lines)
        QString tip;     // what it means and which way it points
    };
    static const std::vector<Proxy>& proxies();
    static QString armLabel(const std::string& arm); // "trained", "shuffled", "re-initialised", "untrained"
    // What each proxy means and which way it points, and what the proxies are not.
    static QString explanation();

    QPushButton* runButton() const { return m_run; }
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* statusLabel() const { return m_status; }
    QTableWidget* table() const { return m_table; }
    LmControlPlot* plot() const { return m_plot; }

Q_SIGNALS:
    void runRequested();
    void workStarted(const QString& description);
    void workProgress(double fraction, const QString& message);
    void workFinished(const QString& message);

private:
    void setRunning(bool running);
    void showResults();

    BackgroundJob* m_job = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QSpinBox* m_tokens = nullptr;
    QSpinBox* m_latents = nullptr;
    QSpinBox* m_steps = nullptr;
    QSpinBox* m_seed = nullptr;
    QCheckBox* m_keepEmbeddings = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QTableWidget* m_table = nullptr;
    LmControlPlot* m_plot = nullptr;
    std::vector<featurescope::LmControlResult> m_results;
    QString m_source;
};
