#include "plots/ArrowPanel.h"

#include "plots/ColorMaps.h"
#include "plots/FeaturePalette.h"
#include "common/Theme.h"

#include <QFontMetrics>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

// Shafts of the many-feature star: the first categorical colour, translucent so thousands of shafts form a density.
QColor shaftColor(int alpha)
{
    QColor c = ColorMaps::okabeIto(ColorMaps::OkabeIto::Blue);
    c.setAlpha(alpha);
    return c;
}

void bindToRect(QCPAbstractItem* item, QCPAxisRect* rect)
{
    item->setClipAxisRect(rect);
    item->setClipToAxisRect(true);
    item->setSelectable(false);
    for (QCPItemPosition* position : item->positions())
        position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    for (QCPItemPosition* position : item->positions())
        position->setAxisRect(rect);
}

} // namespace

void ArrowPanel::build(QCustomPlot* plot, QCPLayoutGrid* grid, double limit)
{
    titleElement = new QCPTextElement(plot, title, FeaturePalette::font(11.0, true));
    titleElement->setMargins(QMargins(2, 4, 2, 2));
    rect = new QCPAxisRect(plot, true);
    // Provisional place in the grid (arrangeGrid re-flows every panel).
    grid->addElement(grid->rowCount(), 0, titleElement);
    grid->addElement(grid->rowCount(), 0, rect);
    rect->setAutoMargins(QCP::msNone);
    rect->setMargins(QMargins(1, 1, 1, 1));
    rect->setMinimumSize(60, 60);
    rect->setSizeConstraintRect(QCPLayoutElement::scrInnerRect);
    for (QCPAxis* axis : rect->axes()) {
        axis->setVisible(true);
        axis->setTicks(false);
        axis->setTickLabels(false);
        axis->setBasePen(QPen(QColor(205, 205, 205), 1));
        axis->grid()->setVisible(false);
        axis->setRange(-limit, limit);
    }
    buildGuides(plot, limit);
    groupLabels(limit);
    buildFeatures(plot, limit);
    buildNotes(plot, limit);
}

void ArrowPanel::buildGuides(QCustomPlot* plot, double limit)
{
    const QPen guidePen(FeaturePalette::referenceColor(), 1, Qt::DashLine);
    // Cross hair through the origin, and the unit circle (or unit ticks on the line for m == 1).
    auto addLine = [&](double x0, double y0, double x1, double y1, const QPen& pen) {
        auto* line = new QCPItemLine(plot);
        bindToRect(line, rect);
        line->start->setCoords(x0, y0);
        line->end->setCoords(x1, y1);
        line->setPen(pen);
        return line;
    };
    const QPen axisPen(QColor(225, 225, 225), 1);
    if (m == 1) {
        addLine(-limit, 0, limit, 0, QPen(QColor(120, 120, 120), 1.5));
        for (double t : {-1.0, 1.0}) {
            addLine(t, -0.06 * limit, t, 0.06 * limit, QPen(QColor(140, 140, 140), 1.5));
            auto* tick = new QCPItemText(plot);
            bindToRect(tick, rect);
            tick->position->setCoords(t, -0.08 * limit);
            tick->setPositionAlignment(Qt::AlignHCenter | Qt::AlignTop);
            tick->setFont(FeaturePalette::font(10.0));
            tick->setColor(QColor(120, 120, 120));
            tick->setText(t > 0 ? QStringLiteral("+1") : QStringLiteral("\u22121"));
        }
    } else {
        addLine(-limit, 0, limit, 0, axisPen);
        addLine(0, -limit, 0, limit, axisPen);
        auto* circle = new QCPItemEllipse(plot);
        bindToRect(circle, rect);
        circle->topLeft->setCoords(-1.0, 1.0);
        circle->bottomRight->setCoords(1.0, -1.0);
        circle->setPen(guidePen);
        circle->setBrush(Qt::NoBrush);
    }
}

void ArrowPanel::buildFeatures(QCustomPlot* plot, double limit)
{
    arrows.assign(std::size_t(n), nullptr);
    if (n > kBulkFeatures) {
        dots.assign(std::size_t(n), nullptr);
        labels.assign(std::size_t(n), nullptr);
        shafts = new QCPCurve(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        shafts->setPen(QPen(shaftColor(150), 1.0));
        shafts->setScatterStyle(QCPScatterStyle::ssNone);
        droppedDots = new QCPCurve(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        droppedDots->setLineStyle(QCPCurve::lsNone);
        droppedDots->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDisc, FeaturePalette::droppedColor(), FeaturePalette::droppedColor(), 4));
        selectedArrow = new QCPItemLine(plot);
        bindToRect(selectedArrow, rect);
        selectedArrow->start->setCoords(0.0, 0.0);
        selectedArrow->setHead(QCPLineEnding(QCPLineEnding::esSpikeArrow, 15, 17));
        selectedArrow->setLayer(QStringLiteral("overlay"));
        selectedArrow->setVisible(false);
        fillBulk();
    }
    if (n <= kBulkFeatures) {
        dots.assign(std::size_t(n), nullptr);
        labels.assign(std::size_t(n), nullptr);
    }

    for (int i = 0; i < n && n <= kBulkFeatures; ++i) {
        const double px = position(0, i);
        const double py = position(1, i);
        const bool dropped = isDropped(i);
        const QColor colour = FeaturePalette::featureColor(i);
        if (dropped || m == 1) {
            auto* dot = new QCPItemTracer(plot);
            bindToRect(dot, rect);
            dot->setGraph(nullptr);
            dot->position->setCoords(px, py);
            dot->setStyle(QCPItemTracer::tsCircle);
            dot->setSize(dropped ? 5 : 11);
            const QColor c = dropped ? FeaturePalette::droppedColor() : colour;
            dot->setPen(QPen(dropped ? c : c.darker(130), 1));
            dot->setBrush(c);
            dots[std::size_t(i)] = dot;
        } else {
            auto* arrow = new QCPItemLine(plot);
            bindToRect(arrow, rect);
            arrow->start->setCoords(0.0, 0.0);
            arrow->end->setCoords(px, py);
            arrows[std::size_t(i)] = arrow; // pen and head: applySelection
        }
        // Index labels just beyond the tips for up to 20 features (overlapping ones merged into their group lead's
        // label); beyond that one label follows the selection.
        if (n <= 20) {
            auto* label = new QCPItemText(plot);
            bindToRect(label, rect);
            label->position->setCoords(labelPosition(i, limit));
            label->setPositionAlignment(Qt::AlignCenter);
            label->setFont(FeaturePalette::font(10.0));
            label->setColor(dropped ? FeaturePalette::droppedColor().darker(130) : colour.darker(125));
            label->setText(labelText[std::size_t(i)]);
            labels[std::size_t(i)] = label;
        }
    }
    if (n > 20) {
        selectionLabel = new QCPItemText(plot);
        bindToRect(selectionLabel, rect);
        selectionLabel->setPositionAlignment(Qt::AlignCenter);
        selectionLabel->setFont(FeaturePalette::font(12.0, true));
        selectionLabel->setLayer(QStringLiteral("overlay"));
        selectionLabel->setVisible(false);
    }
}

void ArrowPanel::buildNotes(QCustomPlot* plot, double limit)
{
    if (m > 2) {
        auto* note = new QCPItemText(plot);
        bindToRect(note, rect);
        note->position->setType(QCPItemPosition::ptAxisRectRatio);
        note->position->setCoords(0.98, 0.98);
        note->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
        note->setFont(FeaturePalette::font(10.0));
        note->setColor(QColor(110, 110, 110));
        note->setText(QStringLiteral("PCA of m = %1").arg(m));
    }
    if (!geometryLabel.isEmpty()) {
        auto* text = new QCPItemText(plot);
        bindToRect(text, rect);
        text->position->setType(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(0.02, 0.02);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        text->setTextAlignment(Qt::AlignLeft);
        text->setFont(FeaturePalette::font(10.0));
        text->setColor(QColor(50, 50, 50));
        text->setBrush(QColor(255, 255, 255, 215));
        text->setPadding(QMargins(3, 1, 3, 1));
        text->setText(geometryLabel);
        geometryText = text;
        placeGeometryText(limit);
    }
}

void ArrowPanel::fillBulk()
{
    // One curve of segments origin -> tip separated by NaN gaps, and one of dots for the dropped features.
    QVector<double> t, x, y, dt, dx, dy;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int i = 0; i < n; ++i) {
        const double px = position(0, i), py = position(1, i);
        if (isDropped(i)) {
            dt << dt.size();
            dx << px;
            dy << py;
            continue;
        }
        t << t.size() << t.size() + 1 << t.size() + 2;
        x << 0.0 << px << nan;
        y << 0.0 << py << nan;
    }
    shafts->setData(t, x, y, true);
    droppedDots->setData(dt, dx, dy, true);
}

bool ArrowPanel::canReuseItemsOf(const ArrowPanel& old) const
{
    if (old.n != n || old.m != m || old.title != title || !old.rect ||
        old.geometryLabel.isEmpty() != geometryLabel.isEmpty())
        return false;
    for (int i = 0; i < n && n <= kBulkFeatures; ++i)
        if (old.isDropped(i) != isDropped(i))
            return false; // an arrow became a dot or back
    return true;
}

void ArrowPanel::takeItemsFrom(ArrowPanel& old, double limit)
{
    titleElement = old.titleElement;
    rect = old.rect;
    arrows = std::move(old.arrows);
    dots = std::move(old.dots);
    labels = std::move(old.labels);
    selectionLabel = old.selectionLabel;
    geometryText = old.geometryText;
    shafts = old.shafts;
    droppedDots = old.droppedDots;
    selectedArrow = old.selectedArrow;
    if (shafts)
        fillBulk();
    groupLabels(limit);
    for (QCPAxis* axis : rect->axes())
        axis->setRange(-limit, limit);
    for (int i = 0; i < n; ++i) {
        const QPointF tip(position(0, i), position(1, i));
        if (QCPItemLine* arrow = arrows[std::size_t(i)])
            arrow->end->setCoords(tip);
        if (QCPItemTracer* dot = dots[std::size_t(i)])
            dot->position->setCoords(tip);
        if (QCPItemText* label = labels[std::size_t(i)]) {
            label->position->setCoords(labelPosition(i, limit));
            label->setText(labelText[std::size_t(i)]);
        }
    }
    if (geometryText) {
        geometryText->setText(geometryLabel);
        placeGeometryText(limit);
    }
}

QPointF ArrowPanel::labelPosition(int i, double limit) const
{
    // Beyond the tip along the arrow (alternating above/below the line for m == 1).
    const double px = position(0, i);
    const double py = position(1, i);
    const double r = std::hypot(px, py);
    if (m == 1)
        return {px, (i % 2 == 0 ? 0.12 : -0.12) * limit};
    if (r > 1e-9)
        return {px + 0.09 * limit * px / r, py + 0.09 * limit * py / r};
    return {px, py + 0.07 * limit};
}

void ArrowPanel::placeGeometryText(double limit) const
{
    QCPItemText* text = geometryText;
    if (!text)
        return;
    // The note's extent as a fraction of its panel once laid out (an export lays the figure out at its own size, and a
    // slide's panels are smaller than the screen's); before that, of a typical panel (about 240 px square, four columns
    // at 1280 px). Fonts are the current theme's.
    QFont font = text->font();
    font.setPointSizeF(FeaturePalette::font(10.0).pointSizeF() * Theme::plotPalette().baseFontPt /
                       Theme::PlotPalette{}.baseFontPt);
    const QFontMetrics metrics(font);
    const QStringList lines = text->text().split(QLatin1Char('\n'));
    int width = 0;
    for (const QString& line : lines)
        width = std::max(width, metrics.horizontalAdvance(line));
    const bool laidOut = rect && rect->width() > 0 && rect->height() > 0;
    const double referenceW = laidOut ? rect->width() : 240.0;
    const double referenceH = laidOut ? rect->height() : 240.0;
    // Beyond the text: the 2 % inset of its anchor, and half an index label, which is placed by its centre.
    const double clearance = 10 + metrics.height();
    const double boxW = std::min(0.9, 0.02 + (width + clearance) / referenceW) * 2.0 * limit;
    const double boxH = std::min(0.9, 0.02 + (lines.size() * metrics.height() + clearance) / referenceH) * 2.0 * limit;
    // What the note may hide: tips, index labels, and the outer part of each shaft.
    std::vector<QPointF> points;
    for (int i = 0; i < n; ++i) {
        const QPointF tip(position(0, i), position(1, i));
        if (!std::isfinite(tip.x()) || !std::isfinite(tip.y()))
            continue;
        points.push_back(tip);
        points.push_back(tip * 0.8);
        points.push_back(tip * 0.6);
        if (labels.size() > std::size_t(i) && labels[std::size_t(i)])
            points.push_back(labelPosition(i, limit));
    }
    struct Corner {
        double x, y; // ratio position of the anchor
        Qt::Alignment alignment;
        double sx, sy; // direction from the corner into the panel
    };
    // Top-left first (where readers look), then top-right, bottom-left; bottom-right holds the PCA note when m > 2.
    const Corner corners[] = {{0.02, 0.02, Qt::AlignLeft | Qt::AlignTop, 1, -1},
                              {0.98, 0.02, Qt::AlignRight | Qt::AlignTop, -1, -1},
                              {0.02, 0.98, Qt::AlignLeft | Qt::AlignBottom, 1, 1},
                              {0.98, 0.98, Qt::AlignRight | Qt::AlignBottom, -1, 1}};
    const int cornerCount = m > 2 ? 3 : 4;
    int best = 0, bestHidden = std::numeric_limits<int>::max();
    for (int c = 0; c < cornerCount; ++c) {
        const double cx = -corners[c].sx * limit, cy = -corners[c].sy * limit;
        const double x0 = std::min(cx, cx + corners[c].sx * boxW), x1 = std::max(cx, cx + corners[c].sx * boxW);
        const double y0 = std::min(cy, cy + corners[c].sy * boxH), y1 = std::max(cy, cy + corners[c].sy * boxH);
        int hidden = 0;
        for (const QPointF& p : points)
            hidden += p.x() >= x0 && p.x() <= x1 && p.y() >= y0 && p.y() <= y1;
        if (hidden < bestHidden) {
            bestHidden = hidden;
            best = c;
        }
    }
    text->position->setCoords(corners[best].x, corners[best].y);
    text->setPositionAlignment(corners[best].alignment);
}

void ArrowPanel::applySelection(int selected, double limit)
{
    const bool any = selected >= 0;
    if (selectionLabel)
        selectionLabel->setVisible(selected >= 0 && selected < n);
    const bool many = n > 40;
    const bool headless = n > 60; // hundreds of arrow heads are only noise
    const bool inRange = selected >= 0 && selected < n;
    if (shafts) {
        shafts->setPen(QPen(shaftColor(any ? 60 : 150), 1.0));
        const bool show = inRange && !isDropped(selected);
        selectedArrow->setVisible(show);
        if (show) {
            selectedArrow->end->setCoords(position(0, selected), position(1, selected));
            selectedArrow->setPen(QPen(FeaturePalette::featureColor(selected), 4.0, Qt::SolidLine, Qt::RoundCap));
        }
    }
    for (int i = 0; i < n; ++i) {
        const bool isSelected = inRange && i == selected;
        QColor colour = FeaturePalette::featureColor(i);
        if (any && !isSelected)
            colour.setAlpha(70);
        if (QCPItemLine* arrow = arrows[std::size_t(i)]) {
            const bool endOn = isEndOn(i) && !isSelected; // seen end-on: faint and thin, so in-plane arrows read
            if (endOn)
                colour.setAlpha(std::min(colour.alpha(), 90));
            arrow->setPen(QPen(colour, isSelected ? 4.5 : (many || endOn ? 1.2 : 2.4), Qt::SolidLine, Qt::RoundCap));
            if (endOn)
                arrow->setHead(QCPLineEnding(QCPLineEnding::esDisc, 4, 4));
            else if (headless && !isSelected)
                arrow->setHead(QCPLineEnding(QCPLineEnding::esDisc, 3, 3));
            else
                arrow->setHead(QCPLineEnding(QCPLineEnding::esSpikeArrow, isSelected ? 15 : (many ? 6 : 11),
                                             isSelected ? 17 : (many ? 7 : 13)));
            arrow->setLayer(isSelected ? QStringLiteral("overlay") : QStringLiteral("main"));
        }
        if (QCPItemTracer* dot = dots[std::size_t(i)]) {
            const bool dropped = isDropped(i);
            const int base = dropped ? 5 : 11;
            dot->setSize(isSelected ? base + 6 : base);
            dot->setPen(isSelected ? QPen(FeaturePalette::selectionColor(), 2) : QPen(dot->brush().color(), 1));
            dot->setLayer(isSelected ? QStringLiteral("overlay") : QStringLiteral("main"));
        }
        if (isSelected && selectionLabel) {
            selectionLabel->position->setCoords(labelPosition(i, limit));
            selectionLabel->setText(QString::number(i));
            selectionLabel->setColor(FeaturePalette::featureColor(i).darker(125));
        }
        if (QCPItemText* label = labels[std::size_t(i)]) {
            const bool dropped = isDropped(i);
            const bool lead = labelLead.size() > std::size_t(i) && labelLead[std::size_t(i)] == i;
            label->setVisible((n <= 20 && !dropped && lead) || isSelected);
            label->setText(isSelected ? QString::number(i) : labelText[std::size_t(i)]);
            label->setFont(FeaturePalette::font(isSelected ? 12.0 : 10.0, isSelected));
            label->setLayer(isSelected ? QStringLiteral("overlay") : QStringLiteral("main"));
        }
    }
}

double ArrowPanel::inPlaneShare(int feature) const
{
    if (m <= 2 || feature < 0 || feature >= n || !(norms[feature] > 0))
        return 1.0;
    return std::hypot(double(position(0, feature)), double(position(1, feature))) / double(norms[feature]);
}

std::vector<int> ArrowPanel::featuresAtTipOf(int feature, double tolerance) const
{
    std::vector<int> near;
    if (feature < 0 || feature >= n)
        return near;
    const QPointF tip(position(0, feature), position(1, feature));
    for (int j = 0; j < n; ++j)
        if (std::hypot(position(0, j) - tip.x(), position(1, j) - tip.y()) <= tolerance)
            near.push_back(j);
    return near;
}

void ArrowPanel::groupLabels(double limit)
{
    labelLead.assign(std::size_t(n), -1);
    labelText.assign(std::size_t(n), QString());
    if (n > 20)
        return;
    // Labels closer than about one label (a 10 pt index on a 240 px panel is ~0.12 of the half-range) would pile up:
    // the longest arrow of each cluster leads and its label lists the others ("3,7,12" or "3,7,+4").
    std::vector<int> order;
    for (int i = 0; i < n; ++i)
        // Projected short arrows crowd the origin: labelled on demand (hover, click), like the end-on ones.
        if (!isDropped(i) && !isEndOn(i) && (m <= 2 || std::hypot(position(0, i), position(1, i)) >= 0.25))
            order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [this](int a, int b) {
        return std::hypot(position(0, a), position(1, a)) > std::hypot(position(0, b), position(1, b));
    });
    const double tolerance = 0.12 * limit;
    std::vector<std::vector<int>> groups;
    for (int i : order) {
        const QPointF at = labelPosition(i, limit);
        bool placed = false;
        for (auto& group : groups) {
            const QPointF lead = labelPosition(group.front(), limit);
            if (std::hypot(at.x() - lead.x(), at.y() - lead.y()) < tolerance) {
                group.push_back(i);
                placed = true;
                break;
            }
        }
        if (!placed)
            groups.push_back({i});
    }
    for (const auto& group : groups) {
        std::vector<int> members = group;
        std::sort(members.begin(), members.end());
        QStringList names;
        for (std::size_t j = 0; j < members.size() && j < 3; ++j)
            names << QString::number(members[j]);
        if (members.size() > 3)
            names.back() = QStringLiteral("+%1").arg(members.size() - 2);
        for (int i : group) {
            labelLead[std::size_t(i)] = group.front();
            labelText[std::size_t(i)] = names.join(QLatin1Char(','));
        }
    }
    for (int i = 0; i < n; ++i)
        if (labelText[std::size_t(i)].isEmpty())
            labelText[std::size_t(i)] = QString::number(i); // shown only when selected
}
