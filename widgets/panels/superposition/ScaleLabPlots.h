#pragma once

#include "scale/ScaleInvarianceLab.h"
#include "scale/ScaleInvariancePoint.h"
#include "scale/ScaleInvarianceSummary.h"

#include <QWidget>

#include <vector>

class LogScatterPlot;
class QCPGraph;
class QCPItemLine;

// The two figures of the scale-invariance tab side by side: the measures against c (features per dimension, every
// D_i, a classifier's accuracy) and what the model does (loss, softmax, or each D_i of a file's matrix). A sweep is
// drawn once; the slider's point then only moves the markers.
class ScaleLabPlots : public QWidget {
    Q_OBJECT
public:
    explicit ScaleLabPlots(QWidget* parent = nullptr);

    LogScatterPlot* measuresPlot() const { return m_measures; }
    LogScatterPlot* outputPlot() const { return m_output; }

    void showSweep(const featurescope::ScaleInvarianceLab& lab,
                   const std::vector<featurescope::ScaleInvariancePoint>& points,
                   const featurescope::ScaleInvarianceSummary& summary);
    // Moves the markers to `point` (of the lab last given to showSweep); nothing before a sweep is shown.
    void showPoint(const featurescope::ScaleInvarianceLab& lab, const featurescope::ScaleInvariancePoint& point);
    void replotNow();

private:
    void drawMeasures(const featurescope::ScaleInvarianceLab& lab,
                      const std::vector<featurescope::ScaleInvariancePoint>& points,
                      const featurescope::ScaleInvarianceSummary& summary);
    void drawOutput(const featurescope::ScaleInvarianceLab& lab,
                    const std::vector<featurescope::ScaleInvariancePoint>& points,
                    const featurescope::ScaleInvarianceSummary& summary);
    void drawToyLoss(const featurescope::ScaleInvarianceLab& lab,
                     const std::vector<featurescope::ScaleInvariancePoint>& points,
                     const featurescope::ScaleInvarianceSummary& summary);
    void drawClassifierOutput(const featurescope::ScaleInvarianceLab& lab,
                              const std::vector<featurescope::ScaleInvariancePoint>& points);
    void drawMatrixDimensionalities(const featurescope::ScaleInvarianceLab& lab);
    void placeMarkers(featurescope::ScaleInvarianceLab::Kind kind);

    LogScatterPlot* m_measures = nullptr;
    LogScatterPlot* m_output = nullptr;

    // Items that follow the slider (recreated with the plots' content).
    QCPGraph* m_measuresMarker = nullptr;
    QCPGraph* m_outputMarker = nullptr;
    QCPItemLine* m_measuresLine = nullptr;
    QCPItemLine* m_outputLine = nullptr;
};
