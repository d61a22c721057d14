#include "plots/EdgeReferenceLines.h"

#include "plots/FeaturePalette.h"

#include <QFontMetrics>

#include <algorithm>

QCPItemText* EdgeReferenceLines::add(QCustomPlot* plot, double value, const QString& label, const QFont& font,
                                     Qt::Alignment vertical)
{
    auto* line = new QCPItemLine(plot);
    line->start->setTypeX(QCPItemPosition::ptAxisRectRatio);
    line->end->setTypeX(QCPItemPosition::ptAxisRectRatio);
    line->start->setCoords(0.0, value);
    line->end->setCoords(1.0, value);
    line->setPen(QPen(FeaturePalette::referenceColor(), 1.2, Qt::DashLine));
    line->setSelectable(false);
    line->setLayer(QStringLiteral("grid"));
    auto* text = new QCPItemText(plot);
    text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(1.0, value);
    text->setPositionAlignment(Qt::AlignLeft | vertical);
    text->setClipToAxisRect(false);
    text->setPadding(QMargins(5, 0, 0, 0));
    text->setFont(font);
    text->setColor(QColor(90, 90, 90));
    text->setText(label);
    text->setSelectable(false);
    m_labels.push_back(text);
    return text;
}

int EdgeReferenceLines::margin() const
{
    int width = 0;
    for (const QCPItemText* label : m_labels)
        width = std::max(width, QFontMetrics(label->font()).horizontalAdvance(label->text()) + label->padding().left());
    return width + 8;
}

bool EdgeReferenceLines::applyMargin(QCPAxisRect* rect) const
{
    const QMargins margins(0, 0, margin(), 0);
    if (!rect || rect->margins() == margins)
        return false;
    rect->setMargins(margins);
    return true;
}
