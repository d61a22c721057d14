#include "LmFeatureSummary.h"

bool LmFeatureSummary::mentions(const QString& query) const
{
    if (query.isEmpty())
        return true;
    for (const QString& token : topLogits)
        if (token.contains(query))
            return true;
    for (const Example& e : examples) {
        // An occurrence counts when it overlaps the strongest token: " the" finds features that fire on (a token
        // of) " the", not every feature whose context happens to hold the word.
        for (qsizetype at = e.text.indexOf(query); at >= 0; at = e.text.indexOf(query, at + 1))
            if (at < e.markEnd && at + query.size() > e.markStart)
                return true;
    }
    return false;
}
