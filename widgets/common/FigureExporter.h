#pragma once

#include <QImage>
#include <QSize>
#include <QSizeF>
#include <QString>

class QWidget;

struct ExportOptions {
    QSize logicalSize{1280, 720}; // in logical pixels; the PNG is logicalSize * scale
    double scale = 1.0;
    bool transparentBackground = false;
    bool includeSelection = false; // selection highlights are hidden while drawing unless asked for
    bool includeControls = false;  // a whole panel is drawn without its control column unless asked for
    // PNG and the clipboard: crop to the drawn content plus a margin of 8 logical pixels (matplotlib's
    // bbox_inches="tight"); PDF and SVG keep their page size, which a slide or paper layout is planned around.
    bool tight = false;
    // The PDF page and the SVG's physical size in points (1/72 inch). Empty: one point per logical pixel.
    QSizeF pagePoints;

    // A figure `inches` in size whose smallest regular text (tick labels and legends, 10 pt in the light theme) lands
    // at `tickPt` points on the page, as matplotlib's figsize and font size do: the figure is laid out at
    // inches × 96 × 10 / tickPt logical pixels and the page scales it to size, so every text keeps its proportion
    // (titles 12 pt → 1.2 × tickPt; the superscript exponents of log axes, 7 pt → 0.7 × tickPt). PNG at `dpi`.
    static ExportOptions forPage(QSizeF inches, double tickPt, double dpi = 144.0);
    // Points on the page per point of font in the layout (1 when pagePoints is empty).
    double pageScale() const;
};

// One function serves every export: PNG (with scale), PDF and SVG (vector, QCustomPlot drawn through QCPPainter).
// A single QCustomPlot is exported with its own vector routines; any other widget (a whole panel, a grid of small
// multiples) is laid out at the requested size and painted, with its plots overdrawn as vectors. Every plot is
// themed with the current Theme first, the user's text overrides (FigureText) are applied, and selection
// decorations are cleared for the duration unless asked.
class FigureExporter {
public:
    // A widget with this dynamic property set to true is a control, left out of a whole-panel export like a
    // ControlsScrollArea (for forms that sit beside the figures rather than in a control column).
    static constexpr const char* kControlsProperty = "featurescopeExportControls";
    // Returns an empty string on success, otherwise one line saying what went wrong. The format follows the
    // file name's suffix (.png, .pdf, .svg).
    static QString exportWidget(QWidget* widget, const QString& path, const ExportOptions& options);
    // The PNG that exportWidget would write, as an image (for the clipboard). Null on bad options.
    static QImage renderImage(QWidget* widget, const ExportOptions& options, QString* error = nullptr);
    // Lays the widget out at `size` (a composite at least at its minimum size hint) offscreen and replots every plot
    // in it, so it can be painted without a display.
    static void prepareWidget(QWidget* widget, const QSize& size);
    // The image cropped to the pixels that differ from its corner's colour, plus `margin` pixels on every side.
    static QImage cropToContent(const QImage& image, int margin);
};
