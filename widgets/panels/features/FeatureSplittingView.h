#pragma once

#include "experiments/SaeFeatureSplitting.h"

#include <QWidget>

#include <functional>

class FeatureSplittingPlot;
class QCheckBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class StudyJobBar;

// The feature-splitting view of the Feature activations panel: the panel's recipe trained at 1x, 2x, 4x, 8x of a
// base width on the panel's source (SaeFeatureSplitting, the code `featurescope sae-split` runs), in the background,
// drawn as a layered graph (FeatureSplittingPlot) with one family highlighted and listed beside it.
class FeatureSplittingView : public QWidget {
    Q_OBJECT
public:
    using BaseConfig = std::function<featurescope::SaeExperimentConfig()>;

    explicit FeatureSplittingView(QWidget* parent = nullptr);
    ~FeatureSplittingView() override; // stops the running job before the members its deliveries use go

    void setBaseConfig(BaseConfig baseConfig) { m_baseConfig = std::move(baseConfig); }
    // The experiment the form describes. Throws featurescope::InputError with one line.
    featurescope::SaeSplittingSpec spec() const;
    void start(); // the form's (errors go to the status line)
    void start(const featurescope::SaeSplittingSpec& spec);
    void cancel();
    bool isRunning() const;
    void waitForFinished();
    const featurescope::SaeSplittingResult& result() const { return m_result; }
    bool hasResult() const { return !m_result.widths.empty(); }
    // Shows a result (a session's) made as `caption` says; nothing runs.
    void setResult(const featurescope::SaeSplittingResult& result, const QString& caption);
    QString caption() const;

    FeatureSplittingPlot* plot() const { return m_plot; }
    StudyJobBar* jobBar() const { return m_bar; }
    QLabel* familyLabel() const { return m_family; }

private:
    void showFamily(int width, int latent);
    static QString captionOf(const featurescope::SaeSplittingSpec& spec, const featurescope::SaeSplittingResult& result);

    BaseConfig m_baseConfig;
    QSpinBox* m_latents = nullptr;
    QSpinBox* m_steps = nullptr;
    QLineEdit* m_widths = nullptr;
    QCheckBox* m_zoom = nullptr;
    StudyJobBar* m_bar = nullptr;
    QLabel* m_family = nullptr;
    FeatureSplittingPlot* m_plot = nullptr;
    featurescope::SaeSplittingResult m_result;
    QString m_caption; // what made m_result
};
