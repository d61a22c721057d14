#pragma once

#include "plots/InteractivePlot.h"

#include <QString>
#include <QStringList>

#include <vector>

// The randomized-transformer control's proxies as grouped bars: one group per proxy, one bar per arm (trained,
// shuffled, re-initialised, untrained). Proxies have different units, so each group is divided by its largest
// value: the bars compare arms within a proxy, not proxies with each other. Hover gives the raw value.
class LmControlPlot : public InteractivePlot {
    Q_OBJECT
public:
    explicit LmControlPlot(QWidget* parent = nullptr);

    // values[arm][proxy]; a negative or non-finite value is "not available" and draws no bar.
    void setValues(const QStringList& arms, const QStringList& proxies, const std::vector<std::vector<double>>& values);
    void clear(const QString& emptyText);
    int armCount() const { return int(m_bars.size()); }
    // The notes over groups without a bar ("0 in every arm", "not available"), by proxy; empty where bars are drawn.
    QStringList groupNotes() const;
    // The normalised height of one bar (0 when it is not drawn).
    double barHeight(int arm, int proxy) const;
    QString hoverText(const QPointF& pos) const override;

private:
    std::vector<QCPBars*> m_bars;
    std::vector<QCPItemText*> m_notes; // over groups without bars, so an empty group does not read as missing data
    QCPItemText* m_empty = nullptr;
    QStringList m_arms, m_proxies;
    std::vector<std::vector<double>> m_values;
};
