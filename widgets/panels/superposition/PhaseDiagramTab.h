#pragma once

#include "toy/PhaseDiagram.h"
#include "toy/TrainingConfig.h"

#include <nlohmann/json.hpp>

#include <QWidget>

#include <optional>

class BackgroundJob;
class PhaseDiagramPlot;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace featurescope {
class SettingsReader;
}

// The superposition panel's phase-diagram tab: grid controls, the plot and its generated reading, and the background
// job that trains one toy model per cell. Its session state is its controls plus the trained part of the diagram.
class PhaseDiagramTab : public QWidget {
    Q_OBJECT
public:
    explicit PhaseDiagramTab(QWidget* parent = nullptr);
    // Independent runs per cell: the cell shows the lowest-loss run, its opacity how many runs agree with it. The
    // models are tiny (n <= 3), so four runs cost seconds and make a noisy checkerboard say how sure it is.
    static constexpr int kRunsPerCell = 4;
    ~PhaseDiagramTab() override;

    // Trains the grid with `base`'s batch, learning rate and seed (steps and restarts come from the tab).
    void compute(const featurescope::TrainingConfig& base);
    void waitForFinished(); // delivers the diagram
    void cancel();
    bool isBusy() const;
    bool hasResult() const { return m_result.has_value(); }
    PhaseDiagramPlot* plot() const { return m_plot; }
    QString caption(const featurescope::TrainingConfig& base) const;

    // Session state: the controls and the computed diagram. parseState() checks everything and throws InputError;
    // applyState() then cannot fail, so a panel restores all or nothing.
    struct State {
        int features = 3;
        int grid = 10;
        int steps = 3000;
        std::optional<featurescope::PhaseDiagramResult> result;
    };
    nlohmann::json saveState() const;
    State parseState(const featurescope::SettingsReader& stored) const;
    void applyState(const State& state);

Q_SIGNALS:
    void computeRequested(); // the Compute button: the panel answers with compute(its training settings)
    void workStarted(const QString& description);
    void workProgress(double fraction, const QString& message);
    void workFinished(const QString& message);

protected:
    void changeEvent(QEvent* event) override;

private:
    void show(const featurescope::PhaseDiagramResult& result);
    void updateReading();

    QComboBox* m_features = nullptr;
    QSpinBox* m_grid = nullptr;
    QSpinBox* m_steps = nullptr;
    QPushButton* m_compute = nullptr;
    PhaseDiagramPlot* m_plot = nullptr;
    QLabel* m_reading = nullptr;
    BackgroundJob* m_job = nullptr;
    std::optional<featurescope::PhaseDiagramResult> m_result; // what the plot shows; saved in sessions
};
