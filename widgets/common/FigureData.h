#pragma once

#include <QString>
#include <QStringList>

class QWidget;

// The data behind a figure, as matplotlib users expect beside a picture: `<base>.csv` holds every drawn curve, dot
// set and bar set of every plot in the figure (columns plot, axes, series, style, color, x, y; x and y are the
// horizontal and vertical data coordinates, so horizontal bars read as drawn), `<base>.npz` every colour map
// (arrays `p<plot>_a<axes>_map<k>`, rows = vertical cells), and `<base>.py` a short matplotlib script that redraws
// the figure from them (titles, axis labels, log scales, ranges and colours as drawn) and saves
// `<base>_matplotlib.png` or the file named on its command line.
class FigureData {
public:
    struct Files {
        QString csv, npz, script; // npz is empty when the figure has no colour map
    };
    // Returns an empty string on success, otherwise one line saying what went wrong.
    static QString write(QWidget* figure, const QString& basePath, const QString& title, Files* files = nullptr);
    // The CSV's header row.
    static QStringList columns();
};
