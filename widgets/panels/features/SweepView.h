#pragma once

#include "experiments/SaeSweep.h"

#include <QWidget>

#include <functional>
#include <vector>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;
class StudyJobBar;
class SweepParetoPlot;

// The sweep view of the Feature activations panel: several SAE recipes, each over its own values of λ (or k for the
// TopK recipes) and several seeds, trained on the panel's activation source in the background (SaeSweep, the code
// `featurescope sae-sweep` runs) and drawn as L0-versus-MSE curves side by side with error bars over the seeds. The
// points appear as they finish; Cancel keeps those.
class SweepView : public QWidget {
    Q_OBJECT
public:
    using BaseConfig = std::function<featurescope::SaeExperimentConfig()>;

    explicit SweepView(QWidget* parent = nullptr);
    ~SweepView() override; // stops the running job before the members its deliveries use go

    // Where the activation source's settings come from (the panel's controls).
    void setBaseConfig(BaseConfig baseConfig) { m_baseConfig = std::move(baseConfig); }
    // The sweeps the form describes, on the base config's source. Throws featurescope::InputError with one line.
    std::vector<featurescope::SaeSweepSpec> specs() const;
    // Runs the form's sweeps (errors go to the status line), or the given ones.
    void start();
    void start(const std::vector<featurescope::SaeSweepSpec>& specs);
    void cancel();
    bool isRunning() const;
    void waitForFinished();
    const std::vector<featurescope::SaeSweepSeries>& results() const { return m_results; }
    void setResults(const std::vector<featurescope::SaeSweepSeries>& results); // a session's; nothing runs
    QString caption() const;

    SweepParetoPlot* plot() const { return m_plot; }
    StudyJobBar* jobBar() const { return m_bar; }
    QComboBox* metricBox() const { return m_metric; }

private:
    struct RecipeRow {
        featurescope::SaeVariant variant;
        QCheckBox* enabled;
        QLineEdit* values;
    };

    BaseConfig m_baseConfig;
    std::vector<RecipeRow> m_recipes;
    QSpinBox* m_seeds = nullptr;
    QSpinBox* m_steps = nullptr;
    QSpinBox* m_latents = nullptr;
    QComboBox* m_metric = nullptr;
    StudyJobBar* m_bar = nullptr;
    SweepParetoPlot* m_plot = nullptr;
    std::vector<featurescope::SaeSweepSeries> m_results;
};
