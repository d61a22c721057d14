#pragma once

#include <QList>
#include <QMap>
#include <QString>

class QCustomPlot;
class QWidget;

// One piece of text in a QCustomPlot that the export dialog lets the user edit.
struct FigureTextEntry {
    enum class Kind { Title, AxisLabel, LegendEntry, Annotation };
    Kind kind = Kind::Title;
    QString key;         // address of the element inside its plot, e.g. "title/0", "axis/0/bottom/0", "legend/2"
    QString description; // what the element is, for the dialog: "Title", "Left axis label", "Legend entry 2"
    QString text;        // the text drawn now (the override if there is one)
    QString original;    // the text the plot's own code chose
    bool overridden = false;
};

// Text overrides for any QCustomPlot: titles (QCPTextElement in the layout), axis labels (including colour-scale
// axes), legend entries (plottable names) and annotations (QCPItemText).
//
// Why it survives live updates: the overrides live on the plot itself, in a dynamic property, keyed by the
// element's position in the plot (n-th title, axis type and index in the n-th axis rect, plottable index, n-th
// text item), not by its text, so they still match after a panel re-sets a label or rebuilds its graphs. A hook on
// QCustomPlot::beforeReplot re-applies them after whatever the panel did and before anything is drawn, and
// FigureExporter applies them again before every export (toPainter/savePdf do not replot). Each element also
// remembers the panel's own text (the last text that was not ours), so "Reset text" restores the panel's latest
// label rather than a stale one.
class FigureText {
public:
    // A QCPTextElement that is not a title (a shared axis label, a column heading) sets this property to what it is
    // ("x-axis label"), so the export dialog lists it under that name rather than as "Title 2".
    static constexpr const char* kRoleProperty = "fsFigureTextRole";

    // The editable texts of `plot`, with overrides applied. Hidden elements are left out.
    static QList<FigureTextEntry> entries(QCustomPlot* plot);
    // Overrides one element's text and applies it now (no replot). Setting the element's original text, or an
    // unknown key, removes the override.
    static void setOverride(QCustomPlot* plot, const QString& key, const QString& text);
    static QMap<QString, QString> overrides(const QCustomPlot* plot);
    static bool hasOverrides(const QCustomPlot* plot);
    // Re-applies the stored overrides (idempotent, cheap when there are none).
    static void apply(QCustomPlot* plot);
    // Every plot in `widget` (the widget itself first if it is a plot).
    static void applyAll(QWidget* widget);
    // Removes the overrides of `plot` and puts the plot's own texts back (no replot).
    static void reset(QCustomPlot* plot);
    static void resetAll(QWidget* widget);
    static QList<QCustomPlot*> plotsIn(QWidget* widget);
};
