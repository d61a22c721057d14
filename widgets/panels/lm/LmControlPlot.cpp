#include "LmControlPlot.h"

#include "plots/FeaturePalette.h"

#include <algorithm>
#include <cmath>

namespace {

constexpr double kGroupWidth = 0.8; // of the unit between proxies; the rest is the gap between groups

bool available(double v) { return std::isfinite(v) && v >= 0.0; }

} // namespace

LmControlPlot::LmControlPlot(QWidget* parent) : InteractivePlot(parent)
{
    setMinimumSize(320, 220);
    addTitle(tr("Interpretability proxies, trained model against its randomized controls"));
    FeaturePalette::styleAxis(xAxis);
    FeaturePalette::styleAxis(yAxis, tr("÷ largest arm"));
    xAxis->grid()->setVisible(false);
    yAxis->setRange(0.0, 1.12);
    legend->setVisible(true);
    legendBelow();
    m_empty = addEmptyText(tr("Run the control to compare the four arms"));
}

void LmControlPlot::clear(const QString& emptyText)
{
    for (QCPBars* bars : m_bars)
        removePlottable(bars);
    m_bars.clear();
    for (QCPItemText* note : m_notes)
        removeItem(note);
    m_notes.clear();
    m_values.clear();
    m_empty->setText(emptyText);
    m_empty->setVisible(true);
    xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    xAxis->setTickLabels(false);
    replot(rpQueuedReplot);
}

void LmControlPlot::setValues(const QStringList& arms, const QStringList& proxies,
                              const std::vector<std::vector<double>>& values)
{
    clear(QString());
    if (arms.isEmpty() || proxies.isEmpty()) {
        clear(tr("Run the control to compare the four arms"));
        return;
    }
    m_arms = arms;
    m_proxies = proxies;
    m_values = values;
    m_empty->setVisible(false);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int p = 0; p < proxies.size(); ++p)
        ticker->addTick(p, proxies[p]);
    const double width = kGroupWidth / double(arms.size());
    for (int a = 0; a < arms.size(); ++a) {
        auto* bars = new QCPBars(xAxis, yAxis);
        bars->setName(arms[a]);
        bars->setPen(Qt::NoPen);
        bars->setBrush(FeaturePalette::featureColor(a));
        bars->setWidth(width);
        QVector<double> x, y;
        for (int p = 0; p < proxies.size(); ++p)
            if (const double h = barHeight(a, p); h > 0.0) {
                x.push_back(p - kGroupWidth / 2 + width * (a + 0.5));
                y.push_back(h);
            }
        bars->setData(x, y, true);
        m_bars.push_back(bars);
    }
    for (int p = 0; p < proxies.size(); ++p) {
        bool drawn = false, anyAvailable = false;
        for (int a = 0; a < arms.size(); ++a) {
            drawn = drawn || barHeight(a, p) > 0.0;
            anyAvailable = anyAvailable || available(values[std::size_t(a)][std::size_t(p)]);
        }
        auto* note = new QCPItemText(this);
        note->position->setCoords(p, 0.06);
        note->setFont(textFont());
        note->setColor(QColor(130, 130, 130)); // as the empty-plot text: readable in every theme
        note->setText(drawn ? QString() : anyAvailable ? tr("0 in every arm") : tr("not available"));
        note->setVisible(!drawn);
        m_notes.push_back(note);
    }
    xAxis->setTicker(ticker);
    xAxis->setTickLabels(true);
    xAxis->setRange(-0.6, proxies.size() - 0.4);
    replot(rpQueuedReplot);
}

QStringList LmControlPlot::groupNotes() const
{
    QStringList notes;
    for (const QCPItemText* note : m_notes)
        notes << note->text();
    return notes;
}

double LmControlPlot::barHeight(int arm, int proxy) const
{
    if (arm < 0 || arm >= int(m_values.size()) || proxy < 0 || proxy >= int(m_values[std::size_t(arm)].size()))
        return 0.0;
    const double v = m_values[std::size_t(arm)][std::size_t(proxy)];
    double largest = 0.0;
    for (const auto& row : m_values)
        if (std::size_t(proxy) < row.size() && available(row[std::size_t(proxy)]))
            largest = std::max(largest, row[std::size_t(proxy)]);
    if (!available(v) || largest <= 0.0)
        return 0.0;
    return v / largest;
}

QString LmControlPlot::hoverText(const QPointF& pos) const
{
    if (m_values.empty())
        return {};
    const double x = xAxis->pixelToCoord(pos.x());
    const int proxy = int(std::lround(x));
    if (proxy < 0 || proxy >= m_proxies.size())
        return {};
    const double within = x - (proxy - kGroupWidth / 2);
    const int arm = int(std::floor(within / (kGroupWidth / double(m_arms.size()))));
    if (arm < 0 || arm >= m_arms.size())
        return {};
    const double v = m_values[std::size_t(arm)][std::size_t(proxy)];
    return tr("%1, %2: %3").arg(m_arms[arm], m_proxies[proxy], available(v) ? QString::number(v, 'g', 4) : tr("n/a"));
}
