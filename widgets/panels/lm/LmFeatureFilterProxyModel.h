#pragma once

#include <QSortFilterProxyModel>

// Filters the LM feature table by what a feature is about: a number keeps that feature; any other text keeps the
// features whose top examples contain it at their strongest token, or whose top logit tokens contain it. The text is
// taken as typed (leading spaces count: " the" is the GPT-2 token after a space). Sorts by Qt::UserRole.
class LmFeatureFilterProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit LmFeatureFilterProxyModel(QObject* parent = nullptr);

    void setQuery(const QString& query);
    QString query() const { return m_query; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_query;
};
