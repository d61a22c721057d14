#include "FigureText.h"

#include "plots/QCustomPlotInclude.h"

#include <QCoreApplication>
#include <QVariantMap>

#include <functional>

namespace {

const char* const kOverrides = "fsTextOverrides"; // key -> the user's text
const char* const kOriginals = "fsTextOriginals"; // key -> the plot code's own text
const char* const kApplied = "fsTextApplied";     // key -> the text we set last (to recognise the plot's own edits)
const char* const kHooked = "fsTextHooked";

QString tr(const char* text) { return QCoreApplication::translate("FigureText", text); }

// An addressable text element: how to read and write it.
struct Slot {
    FigureTextEntry::Kind kind;
    QString key;
    QString description;
    bool visible = true;
    std::function<QString()> get;
    std::function<void(const QString&)> set;
};

QString axisTypeName(QCPAxis::AxisType type)
{
    switch (type) {
    case QCPAxis::atLeft: return QStringLiteral("left");
    case QCPAxis::atRight: return QStringLiteral("right");
    case QCPAxis::atTop: return QStringLiteral("top");
    case QCPAxis::atBottom: break;
    }
    return QStringLiteral("bottom");
}

QString axisDescription(QCPAxis::AxisType type)
{
    switch (type) {
    case QCPAxis::atLeft: return tr("Left axis label");
    case QCPAxis::atRight: return tr("Right axis label");
    case QCPAxis::atTop: return tr("Top axis label");
    case QCPAxis::atBottom: break;
    }
    return tr("Bottom axis label");
}

bool axisShown(const QCPAxis* axis)
{
    return axis->visible() && (!axis->label().isEmpty() || axis->tickLabels());
}

// Every text element of the plot in a fixed order; the keys depend only on the plot's structure.
QList<Slot> slotsOf(QCustomPlot* plot)
{
    QList<Slot> result;
    int titles = 0, labels = 0, rects = 0, scales = 0;
    QList<QCPLegend*> legends;
    const auto elements = plot->plotLayout()->elements(true);
    for (QCPLayoutElement* element : elements) {
        if (!element)
            continue;
        if (auto* text = qobject_cast<QCPTextElement*>(element)) {
            // A text element that is not a title (a shared axis label, a column heading) names its role itself.
            if (const QString role = text->property(FigureText::kRoleProperty).toString(); !role.isEmpty()) {
                const int n = labels++;
                result.append({role.contains(QStringLiteral("axis")) ? FigureTextEntry::Kind::AxisLabel
                                                                      : FigureTextEntry::Kind::Title,
                               QStringLiteral("label/%1").arg(n), role, text->visible(),
                               [text] { return text->text(); }, [text](const QString& v) { text->setText(v); }});
                continue;
            }
            const int n = titles++;
            result.append({FigureTextEntry::Kind::Title, QStringLiteral("title/%1").arg(n),
                           n == 0 ? tr("Title") : tr("Title %1").arg(n + 1), text->visible(),
                           [text] { return text->text(); }, [text](const QString& v) { text->setText(v); }});
        } else if (auto* rect = qobject_cast<QCPAxisRect*>(element)) {
            const int r = rects++;
            for (QCPAxis::AxisType type : {QCPAxis::atBottom, QCPAxis::atLeft, QCPAxis::atTop, QCPAxis::atRight}) {
                const QList<QCPAxis*> axes = rect->axes(type);
                for (int i = 0; i < axes.size(); ++i) {
                    QCPAxis* axis = axes[i];
                    QString description = axisDescription(type);
                    if (rects > 1 || r > 0)
                        description += tr(" (axes %1)").arg(r + 1);
                    result.append({FigureTextEntry::Kind::AxisLabel,
                                   QStringLiteral("axis/%1/%2/%3").arg(r).arg(axisTypeName(type)).arg(i), description,
                                   rect->visible() && axisShown(axis), [axis] { return axis->label(); },
                                   [axis](const QString& v) { axis->setLabel(v); }});
                }
            }
        } else if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
            const int s = scales++;
            QCPAxis* axis = scale->axis();
            if (!axis)
                continue;
            result.append({FigureTextEntry::Kind::AxisLabel, QStringLiteral("scale/%1").arg(s), tr("Colour scale label"),
                           scale->visible(), [axis] { return axis->label(); },
                           [axis](const QString& v) { axis->setLabel(v); }});
        } else if (auto* legend = qobject_cast<QCPLegend*>(element)) {
            legends.append(legend);
        }
    }
    // Legend entries are plottable names, addressed by the plottable's index so they survive a legend rebuild.
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* plottable = plot->plottable(i);
        bool listed = false;
        for (QCPLegend* legend : legends)
            if (legend->visible() && legend->hasItemWithPlottable(plottable))
                listed = true;
        result.append({FigureTextEntry::Kind::LegendEntry, QStringLiteral("legend/%1").arg(i),
                       tr("Legend entry"), listed && plottable->visible(), [plottable] { return plottable->name(); },
                       [plottable](const QString& v) { plottable->setName(v); }});
    }
    int texts = 0;
    for (int i = 0; i < plot->itemCount(); ++i) {
        auto* item = qobject_cast<QCPItemText*>(plot->item(i));
        if (!item)
            continue;
        const int n = texts++;
        result.append({FigureTextEntry::Kind::Annotation, QStringLiteral("item/%1").arg(n), tr("Annotation"),
                       item->visible() && !item->text().isEmpty(), [item] { return item->text(); },
                       [item](const QString& v) { item->setText(v); }});
    }
    return result;
}

QVariantMap map(const QCustomPlot* plot, const char* name) { return plot->property(name).toMap(); }

// The plot code's own text for a slot: the current text unless it is still the one we applied.
QString originalOf(const QCustomPlot* plot, const Slot& slot)
{
    const QString current = slot.get();
    const QVariantMap applied = map(plot, kApplied);
    if (applied.contains(slot.key) && applied.value(slot.key).toString() == current)
        return map(plot, kOriginals).value(slot.key, current).toString();
    return current;
}

void hook(QCustomPlot* plot)
{
    if (plot->property(kHooked).toBool())
        return;
    plot->setProperty(kHooked, true);
    // beforeReplot fires after the panel's own updates and before layout and drawing, so the override wins.
    QObject::connect(plot, &QCustomPlot::beforeReplot, plot, [plot] { FigureText::apply(plot); });
}

} // namespace

QList<FigureTextEntry> FigureText::entries(QCustomPlot* plot)
{
    QList<FigureTextEntry> result;
    if (!plot)
        return result;
    apply(plot);
    const QVariantMap overrides = map(plot, kOverrides);
    // Number repeated descriptions ("Legend entry 1, 2, ...") among the listed elements only.
    QMap<QString, int> counts;
    for (const Slot& slot : slotsOf(plot)) {
        if (!slot.visible)
            continue;
        FigureTextEntry entry;
        entry.kind = slot.kind;
        entry.key = slot.key;
        entry.description = slot.description;
        if (slot.kind == FigureTextEntry::Kind::LegendEntry || slot.kind == FigureTextEntry::Kind::Annotation)
            entry.description += QStringLiteral(" %1").arg(++counts[slot.description]);
        entry.text = slot.get();
        entry.original = originalOf(plot, slot);
        entry.overridden = overrides.contains(slot.key);
        result.append(entry);
    }
    return result;
}

void FigureText::setOverride(QCustomPlot* plot, const QString& key, const QString& text)
{
    if (!plot)
        return;
    QVariantMap overrides = map(plot, kOverrides);
    const QList<Slot> all = slotsOf(plot);
    const Slot* slot = nullptr;
    for (const Slot& s : all)
        if (s.key == key)
            slot = &s;
    if (!slot) {
        overrides.remove(key);
        plot->setProperty(kOverrides, overrides);
        return;
    }
    const QString original = originalOf(plot, *slot);
    if (text == original) {
        // Back to the plot's own text: drop the override and give the element back to the plot code.
        overrides.remove(key);
        slot->set(original);
        QVariantMap applied = map(plot, kApplied), originals = map(plot, kOriginals);
        applied.remove(key);
        originals.remove(key);
        plot->setProperty(kApplied, applied);
        plot->setProperty(kOriginals, originals);
    } else {
        overrides.insert(key, text);
    }
    plot->setProperty(kOverrides, overrides);
    hook(plot);
    apply(plot);
}

QMap<QString, QString> FigureText::overrides(const QCustomPlot* plot)
{
    QMap<QString, QString> result;
    if (!plot)
        return result;
    const QVariantMap stored = map(plot, kOverrides);
    for (auto it = stored.cbegin(); it != stored.cend(); ++it)
        result.insert(it.key(), it.value().toString());
    return result;
}

bool FigureText::hasOverrides(const QCustomPlot* plot) { return plot && !map(plot, kOverrides).isEmpty(); }

void FigureText::apply(QCustomPlot* plot)
{
    if (!hasOverrides(plot))
        return;
    const QVariantMap overrides = map(plot, kOverrides);
    QVariantMap originals = map(plot, kOriginals);
    QVariantMap applied = map(plot, kApplied);
    for (const Slot& slot : slotsOf(plot)) {
        if (!overrides.contains(slot.key))
            continue;
        originals.insert(slot.key, originalOf(plot, slot));
        const QString text = overrides.value(slot.key).toString();
        if (slot.get() != text)
            slot.set(text);
        applied.insert(slot.key, text);
    }
    plot->setProperty(kOriginals, originals);
    plot->setProperty(kApplied, applied);
}

void FigureText::applyAll(QWidget* widget)
{
    for (QCustomPlot* plot : plotsIn(widget))
        apply(plot);
}

void FigureText::reset(QCustomPlot* plot)
{
    if (!plot)
        return;
    const QVariantMap applied = map(plot, kApplied);
    const QVariantMap originals = map(plot, kOriginals);
    for (const Slot& slot : slotsOf(plot))
        if (applied.contains(slot.key) && applied.value(slot.key).toString() == slot.get())
            slot.set(originals.value(slot.key).toString());
    plot->setProperty(kOverrides, QVariant());
    plot->setProperty(kOriginals, QVariant());
    plot->setProperty(kApplied, QVariant());
}

void FigureText::resetAll(QWidget* widget)
{
    for (QCustomPlot* plot : plotsIn(widget))
        reset(plot);
}

QList<QCustomPlot*> FigureText::plotsIn(QWidget* widget)
{
    if (!widget)
        return {};
    QList<QCustomPlot*> plots = widget->findChildren<QCustomPlot*>();
    if (auto* plot = qobject_cast<QCustomPlot*>(widget))
        plots.prepend(plot);
    return plots;
}
