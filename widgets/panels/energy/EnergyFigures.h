#pragma once

#include "energy/HardwarePreset.h"
#include "energy/LandauerCalculator.h"

#include <QWidget>

class LogScatterPlot;

// The energy panel's three figures in a row: the ratio against temperature, the ratio against bits erased per op,
// and every preset's efficiency by year with its trends and the Landauer ceiling. They redraw only for a valid input
// (an invalid one leaves the last valid figures in place rather than drawing something wrong).
class EnergyFigures : public QWidget {
    Q_OBJECT
public:
    explicit EnergyFigures(QWidget* parent = nullptr);

    LogScatterPlot* temperaturePlot() const { return m_temperaturePlot; }
    LogScatterPlot* bitsPlot() const { return m_bitsPlot; }
    LogScatterPlot* trendPlot() const { return m_trendPlot; }

    // `chipName` labels the swept curves; `selectedPreset` (an id, empty for custom figures) is ringed on the trend
    // plot at its `figure`.
    void show(const featurescope::LandauerResult& result, const QString& chipName, const QString& selectedPreset,
              featurescope::PresetFigure figure);

private:
    void updateTemperaturePlot(const featurescope::LandauerResult& result, const QString& chipName);
    void updateBitsPlot(const featurescope::LandauerResult& result, const QString& chipName);
    void updateTrendPlot(const featurescope::LandauerInput& input, const QString& selectedPreset,
                         featurescope::PresetFigure figure);

    LogScatterPlot* m_temperaturePlot = nullptr;
    LogScatterPlot* m_bitsPlot = nullptr;
    LogScatterPlot* m_trendPlot = nullptr;
};
