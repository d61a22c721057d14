#pragma once

#include "plots/InteractivePlot.h"

#include <QColor>
#include <QString>

#include <vector>

// A direction in input space drawn component by component: bars for one vector (e.g. an SAE decoder column) and,
// optionally, markers for a second vector of the same length (e.g. the true feature it matches, or a mean input)
// so the two can be compared at a glance. A title row, a legend under the axes, a zero line; hover names the
// component and both values.
class DirectionPlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit DirectionPlot(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const;
    // `markers` may be empty; otherwise it must have bars.size() entries. Replots.
    void setVectors(const std::vector<float>& bars, const QString& barsName, const std::vector<float>& markers = {},
                    const QString& markersName = QString());
    void clear();
    bool hasData() const { return !m_bars.empty(); }
    int dimension() const { return int(m_bars.size()); }
    QString hoverText(const QPointF& pos) const override;

private:
    QCPTextElement* m_title = nullptr;
    QCPBars* m_barPlot = nullptr;
    QCPGraph* m_markerGraph = nullptr;
    QCPItemText* m_empty = nullptr;
    std::vector<float> m_bars;
    std::vector<float> m_markers;
    QString m_barsName;
    QString m_markersName;
};
