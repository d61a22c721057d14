#pragma once

#include <QString>

// What a person calls each figure: one table from the figure ids the command line uses (`render --figure
// norm-bars`) to the titles the export dialog and `render --list` show ("Feature norms ‖Wᵢ‖ by superposition").
// An id not in the table reads as its words ("new-view" -> "New view"), so a new figure is never nameless.
class FigureTitles {
public:
    static QString title(const QString& figureId);
    // True when the id has a title of its own in the table (tests check every figure of every panel has one).
    static bool has(const QString& figureId);
};
