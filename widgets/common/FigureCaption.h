#pragma once

#include <QDate>
#include <QString>

class Panel;

// The caption to paste under an exported figure: the panel's own lines naming the parameters that made the figure
// (Panel::figureCaption), then the app version and the date, so a slide can be traced back to its settings.
class FigureCaption {
public:
    // `figure` is one of panel->figureNames(), or empty for the whole panel (the panel's caption for "", else the
    // distinct captions of its figures, one per line). A null panel gives only the version line.
    static QString compose(const Panel* panel, const QString& figure, const QDate& date = QDate::currentDate());
    // Only the panel's part: "<panel title> — <figure>: <Panel::figureCaption>", possibly several lines.
    static QString panelLines(const Panel* panel, const QString& figure);
    // "featurescope 0.3.0 · 2025-01-31"
    static QString versionLine(const QDate& date = QDate::currentDate());
    // Puts compose(panel, figure) on the clipboard and returns it (for MainWindow's "Copy Caption").
    static QString copyToClipboard(const Panel* panel, const QString& figure);
};
