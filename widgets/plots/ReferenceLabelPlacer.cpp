#include "plots/ReferenceLabelPlacer.h"

#include "plots/PlotTextFitter.h"

#include <algorithm>
#include <vector>

namespace {

QRectF pixelRect(const QCPItemText* text)
{
    return QRectF(text->topLeft->pixelPosition(), text->bottomRight->pixelPosition()).normalized();
}

struct Candidate {
    double position;
    Qt::Alignment alignment;
};

// Along a horizontal line: where the caller asked, then the right and left ends, then centred at tenths of the
// width; each above the line, then below it.
std::vector<Candidate> horizontalCandidates(double preferred, Qt::Alignment alignment)
{
    const Qt::Alignment preferredSide = alignment & Qt::AlignVertical_Mask;
    const Qt::Alignment otherSide = preferredSide == Qt::AlignTop ? Qt::AlignBottom : Qt::AlignTop;
    std::vector<Candidate> out;
    for (Qt::Alignment side : {preferredSide, otherSide}) {
        out.push_back({preferred, (alignment & Qt::AlignHorizontal_Mask) | side});
        out.push_back({0.995, Qt::AlignRight | side});
        out.push_back({0.01, Qt::AlignLeft | side});
        for (int step = 1; step < 10; ++step)
            out.push_back({0.1 * step, Qt::AlignHCenter | side});
    }
    return out;
}

// Along a vertical line: where the caller asked, then down the line in steps; right of the line, then left of it.
std::vector<Candidate> verticalCandidates(double preferred, Qt::Alignment alignment)
{
    const Qt::Alignment preferredSide = alignment & Qt::AlignHorizontal_Mask;
    const Qt::Alignment otherSide = preferredSide == Qt::AlignRight ? Qt::AlignLeft : Qt::AlignRight;
    std::vector<Candidate> out;
    for (Qt::Alignment side : {preferredSide, otherSide}) {
        out.push_back({preferred, side | Qt::AlignTop});
        for (int step = 0; step < 10; ++step)
            out.push_back({0.02 + 0.1 * step, side | Qt::AlignTop});
        out.push_back({0.98, side | Qt::AlignBottom});
    }
    return out;
}

} // namespace

ReferenceLabelPlacer::ReferenceLabelPlacer(QCustomPlot* plot) : QObject(plot), m_plot(plot)
{
    connect(plot, &QCustomPlot::afterLayout, this, &ReferenceLabelPlacer::place);
}

void ReferenceLabelPlacer::add(QCPItemText* label, QCPItemLine* line, Qt::Orientation orientation, double preferred,
                               Qt::Alignment alignment)
{
    m_labels.append({label, line, orientation, preferred, alignment});
}

void ReferenceLabelPlacer::clear() { m_labels.clear(); }

bool ReferenceLabelPlacer::crossesSegment(const QRectF& rect, const QLineF& segment)
{
    if (rect.contains(segment.p1()) || rect.contains(segment.p2()))
        return true;
    const QLineF edges[] = {{rect.topLeft(), rect.topRight()},
                            {rect.topRight(), rect.bottomRight()},
                            {rect.bottomRight(), rect.bottomLeft()},
                            {rect.bottomLeft(), rect.topLeft()}};
    return std::any_of(std::begin(edges), std::end(edges), [&](const QLineF& edge) {
        return segment.intersects(edge) == QLineF::BoundedIntersection;
    });
}

bool ReferenceLabelPlacer::crossesData(const QRectF& rect, const QCustomPlot* plot)
{
    for (int g = 0; g < plot->graphCount(); ++g) {
        const QCPGraph* graph = plot->graph(g);
        if (!graph->visible() || graph->data()->isEmpty())
            continue;
        const bool lines = graph->lineStyle() != QCPGraph::lsNone && graph->pen().style() != Qt::NoPen;
        const double marker = graph->scatterStyle().isNone() ? 0.0 : graph->scatterStyle().size();
        QPointF previous;
        bool first = true;
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            const QPointF p(graph->keyAxis()->coordToPixel(it->key), graph->valueAxis()->coordToPixel(it->value));
            if (marker > 0.0 && rect.intersects(QRectF(p.x() - marker / 2, p.y() - marker / 2, marker, marker)))
                return true;
            if (lines && !first && crossesSegment(rect, QLineF(previous, p)))
                return true;
            previous = p;
            first = false;
        }
    }
    return false;
}

int ReferenceLabelPlacer::conflicts(const Label& label, const QVector<QRectF>& taken) const
{
    // A label may touch its own line and its neighbours' edges: only overlaps of more than a pixel count.
    const QRectF rect = pixelRect(label.text).adjusted(1, 1, -1, -1);
    int count = 0;
    if (!QRectF(m_plot->axisRect()->rect()).contains(rect))
        count += 100; // cut off is worse than crossed by anything
    if (crossesData(rect, m_plot))
        ++count;
    for (int i = 0; i < m_plot->itemCount(); ++i) {
        const auto* line = qobject_cast<QCPItemLine*>(m_plot->item(i));
        if (line && line != label.line && line->visible() &&
            crossesSegment(rect, QLineF(line->start->pixelPosition(), line->end->pixelPosition())))
            ++count;
    }
    for (const QRectF& other : taken)
        if (rect.intersects(other))
            ++count;
    return count;
}

void ReferenceLabelPlacer::place()
{
    m_labels.erase(std::remove_if(m_labels.begin(), m_labels.end(), [](const Label& l) { return !l.text; }),
                   m_labels.end());
    // Text that is not ours (free labels) stays where it is; ours are placed one after another around it.
    QVector<QRectF> taken;
    for (int i = 0; i < m_plot->itemCount(); ++i) {
        auto* text = qobject_cast<QCPItemText*>(m_plot->item(i));
        const bool ours = std::any_of(m_labels.begin(), m_labels.end(), [&](const Label& l) { return l.text == text; });
        if (text && text->visible() && !ours)
            taken.append(pixelRect(text));
    }
    for (const Label& label : m_labels) {
        // A label wider than the axes (a long limit in a narrow plot or a large theme) takes more lines.
        const int padding = label.text->padding().left() + label.text->padding().right();
        PlotTextFitter::fitItem(label.text, m_plot->axisRect()->width() - padding - 8);
        const auto candidates = label.orientation == Qt::Horizontal ? horizontalCandidates(label.preferred, label.alignment)
                                                                    : verticalCandidates(label.preferred, label.alignment);
        QCPItemPosition* position = label.text->position;
        auto moveTo = [&](const Candidate& c) {
            if (label.orientation == Qt::Horizontal)
                position->setCoords(c.position, position->coords().y());
            else
                position->setCoords(position->coords().x(), c.position);
            label.text->setPositionAlignment(c.alignment);
        };
        const Candidate* best = &candidates.front();
        int fewest = -1;
        for (const Candidate& c : candidates) {
            moveTo(c);
            const int n = conflicts(label, taken);
            if (fewest < 0 || n < fewest) {
                fewest = n;
                best = &c;
            }
            if (n == 0)
                break;
        }
        moveTo(*best);
        taken.append(pixelRect(label.text));
    }
}
