#pragma once

#include <QColor>
#include <QString>

#include <optional>

class QApplication;
class QCustomPlot;
class QWidget;

// The application's look: light, dark or presentation (projector: large fonts, thick lines, high contrast).
// Widgets follow the QPalette + style sheet (resources/themes/*.qss) that apply() installs, with Fusion pinned;
// plots follow applyToPlot(), which is idempotent: it remembers each element's own pen, font and colour and
// derives the themed value from that, so it may run before every replot (follow()) and before every export.
class Theme {
public:
    enum class Id { Light, Dark, Presentation };

    struct PlotPalette {
        QColor background;
        QColor foreground;   // axes, ticks, labels, legend text
        QColor grid;
        QColor subGrid;
        double lineWidth = 1.0; // multiplier on every pen width the plot code chose
        double baseFontPt = 9.0; // tick labels; axis labels and titles keep their size relative to it
        bool dark = false;
    };

    // Dynamic property: a plottable with it set to true keeps its colours in every theme (line widths and marker
    // sizes still follow the theme). For data colours that must match a theme-independent colour map.
    static constexpr const char* kKeepColours = "fsKeepColours";

    static Id current();
    static QString name(Id id);                      // "light", "dark", "presentation"
    static std::optional<Id> fromName(const QString& name);
    static PlotPalette plotPalette(Id id);
    static PlotPalette plotPalette() { return plotPalette(current()); }
    // A data colour as the current theme draws it (navy lifted on dark backgrounds...), for colours used outside a
    // plot, such as the coloured headings of a rich-text table.
    static QColor dataColor(const QColor& color);

    // Pins Fusion, installs the palette and style sheet, and makes `id` current (plots read current()).
    static void apply(QApplication& app, Id id);
    // Themes one plot now (no replot). Safe to call repeatedly.
    static void applyToPlot(QCustomPlot* plot);
    static void applyToPlot(QCustomPlot* plot, Id id);
    // Themes `widget` (if it is a plot) and every plot inside it, and replots them.
    static void applyToPlots(QWidget* widget);
    // Makes the plot re-apply the current theme before each replot, so curves added later are themed too.
    static void follow(QCustomPlot* plot);
    static void followAll(QWidget* widget);
};
