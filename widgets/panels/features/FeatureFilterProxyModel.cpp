#include "FeatureFilterProxyModel.h"

#include "FeatureTableModel.h"

#include <QRegularExpression>

#include <cmath>

FeatureFilterProxyModel::FeatureFilterProxyModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(FeatureTableModel::SortRole);
    setDynamicSortFilter(true);
}

QString FeatureFilterProxyModel::syntaxHelp()
{
    return tr("Filter features: a number (17), a range (10-20), dead, alive, dense, or a comparison such as "
              "density>0.01, purity>=0.8, coherence<0.5, max>2, cos>0.9; terms separated by spaces must all hold");
}

void FeatureFilterProxyModel::setQuery(const QString& query)
{
    m_query = query;
    m_terms.clear();
    m_error.clear();
    static const QRegularExpression compare(
        QStringLiteral("^(density|max|purity|coherence|cos|match)\\s*(<=|>=|<|>|=)\\s*([-+0-9.eE]+)(%?)$"));
    static const QRegularExpression range(QStringLiteral("^(\\d+)\\s*-\\s*(\\d+)$"));
    const QStringList words = query.simplified().toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString& word : words) {
        Term term;
        bool ok = false;
        const int index = word.toInt(&ok);
        if (ok) {
            term.kind = Term::Index;
            term.value = index;
        } else if (word == QLatin1String("dead")) {
            term.kind = Term::Dead;
        } else if (word == QLatin1String("alive")) {
            term.kind = Term::Alive;
        } else if (word == QLatin1String("dense")) {
            term.kind = Term::Dense;
        } else if (const auto m = range.match(word); m.hasMatch()) {
            term.kind = Term::Range;
            term.value = m.captured(1).toDouble();
            term.high = m.captured(2).toDouble();
        } else if (const auto c = compare.match(word); c.hasMatch()) {
            term.kind = Term::Compare;
            const QString column = c.captured(1);
            term.column = column == QLatin1String("density")   ? FeatureTableModel::Density
                          : column == QLatin1String("max")     ? FeatureTableModel::MaxActivation
                          : column == QLatin1String("purity")  ? FeatureTableModel::Purity
                          : column == QLatin1String("coherence") ? FeatureTableModel::Coherence
                                                                 : FeatureTableModel::BestMatch;
            const QString op = c.captured(2);
            term.op = op == QLatin1String("<") ? 0 : op == QLatin1String("<=") ? 1 : op == QLatin1String(">") ? 2
                    : op == QLatin1String(">=") ? 3 : 4;
            term.value = c.captured(3).toDouble(&ok);
            if (!c.captured(4).isEmpty())
                term.value /= 100.0;
            if (!ok) {
                m_error = tr("'%1' is not a number").arg(c.captured(3));
                continue;
            }
        } else {
            m_error = tr("unknown filter term '%1'").arg(word);
            term.kind = Term::Index;
            term.value = -1; // matches nothing
        }
        m_terms.push_back(term);
    }
    invalidateFilter();
}

bool FeatureFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex&) const
{
    const auto* model = qobject_cast<const FeatureTableModel*>(sourceModel());
    if (!model)
        return true;
    for (const Term& term : m_terms) {
        switch (term.kind) {
        case Term::Index:
            if (sourceRow != int(term.value))
                return false;
            break;
        case Term::Range:
            if (sourceRow < term.value || sourceRow > term.high)
                return false;
            break;
        case Term::Dead:
            if (model->value(sourceRow, FeatureTableModel::Density) > 0.0)
                return false;
            break;
        case Term::Alive:
            if (!(model->value(sourceRow, FeatureTableModel::Density) > 0.0))
                return false;
            break;
        case Term::Dense:
            if (!(model->value(sourceRow, FeatureTableModel::Density) > 0.01))
                return false;
            break;
        case Term::Compare: {
            const double v = model->value(sourceRow, term.column);
            if (!std::isfinite(v))
                return false;
            const bool pass = term.op == 0   ? v < term.value
                              : term.op == 1 ? v <= term.value
                              : term.op == 2 ? v > term.value
                              : term.op == 3 ? v >= term.value
                                             : std::abs(v - term.value) < 1e-9;
            if (!pass)
                return false;
            break;
        }
        }
    }
    return true;
}

bool FeatureFilterProxyModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const double a = left.data(sortRole()).toDouble();
    const double b = right.data(sortRole()).toDouble();
    const bool aValid = std::isfinite(a), bValid = std::isfinite(b);
    // Undefined values last whatever the order: in descending order "less" means "after".
    if (aValid != bValid)
        return sortOrder() == Qt::AscendingOrder ? aValid : !aValid;
    if (!aValid)
        return left.row() < right.row();
    if (a != b)
        return a < b;
    return left.row() < right.row();
}
