#pragma once

#include "experiments/ControlComparison.h"
#include "experiments/SaeExperimentConfig.h"

#include <QWidget>

#include <memory>

class HistogramPlot;
class QLabel;
class QPushButton;

// The randomized-weights control, side by side: label purity, coherence and log10 density of the SAE features of
// the trained MLP and of its shuffled-weights copy as overlaid histograms (fractions of features, so dictionaries
// with different numbers of live features compare), a table of the dictionary numbers and a generated reading.
class ControlView : public QWidget {
    Q_OBJECT
public:
    explicit ControlView(QWidget* parent = nullptr);

    void setComparison(std::shared_ptr<const featurescope::ControlComparison> comparison);
    const featurescope::ControlComparison* comparison() const { return m_comparison.get(); }
    void setRunning(bool running);
    void setMessage(const QString& text); // status or error line above the plots

    HistogramPlot* purityPlot() const { return m_purity; }
    HistogramPlot* coherencePlot() const { return m_coherence; }
    HistogramPlot* densityPlot() const { return m_density; }
    QString readingText() const;
    QPushButton* runButton() const { return m_run; }
    // Two lines for the control figures' captions: what the control compares, and the SAE settings of `config`.
    static QString caption(const featurescope::SaeExperimentConfig& config);

Q_SIGNALS:
    void runRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    std::shared_ptr<const featurescope::ControlComparison> m_comparison;
    QPushButton* m_run = nullptr;
    QLabel* m_message = nullptr;
    HistogramPlot* m_purity = nullptr;
    HistogramPlot* m_coherence = nullptr;
    HistogramPlot* m_density = nullptr;
    QLabel* m_table = nullptr;
    QLabel* m_reading = nullptr;
};
