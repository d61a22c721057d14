#pragma once

#include "plots/InteractivePlot.h"

#include <QString>

#include <vector>

// A feature's direct logit effects as bars: the tokens it promotes most (left, positive) and suppresses most (right,
// negative), each labelled with its token text under the axis. Hover names the token and its value.
class LogitEffectsPlot : public InteractivePlot {
    Q_OBJECT
public:
    struct Bar {
        QString token;
        double value = 0.0;
    };

    explicit LogitEffectsPlot(QWidget* parent = nullptr);

    void setEffects(const std::vector<Bar>& top, const std::vector<Bar>& bottom);
    void setEmptyText(const QString& text); // shown (and the bars cleared) when there is nothing to draw
    int barCount() const { return int(m_bars.size()); }
    QString hoverText(const QPointF& pos) const override;

private:
    QCPBars* m_positive = nullptr;
    QCPBars* m_negative = nullptr;
    QCPItemText* m_empty = nullptr;
    std::vector<Bar> m_bars;
};
