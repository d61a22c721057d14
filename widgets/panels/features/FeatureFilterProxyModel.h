#pragma once

#include <QSortFilterProxyModel>

#include <vector>

// Sorts the feature table by number (undefined values last in either order) and filters it with a small query
// language: space-separated terms that must all hold. A term is a feature index ("17"), a range ("10-20"), a word
// ("dead", "alive", "dense") or a comparison on a column ("density>0.01", "purity>=0.8", "max<2", "cos>0.9",
// "coherence<0.5"). Unknown terms match nothing and are reported by queryError().
class FeatureFilterProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit FeatureFilterProxyModel(QObject* parent = nullptr);

    void setQuery(const QString& query);
    QString query() const { return m_query; }
    QString queryError() const { return m_error; } // empty when the query parses
    static QString syntaxHelp();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    struct Term {
        enum Kind { Index, Range, Dead, Alive, Dense, Compare } kind = Index;
        int column = 0;
        int op = 0; // 0 <, 1 <=, 2 >, 3 >=, 4 =
        double value = 0.0;
        double high = 0.0;
    };
    QString m_query;
    QString m_error;
    std::vector<Term> m_terms;
};
