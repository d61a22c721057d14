#pragma once

#include <QString>

#include <initializer_list>
#include <utility>

class QGridLayout;
class QObject;
class QWidget;

// The layout the study views of the Feature activations panel share: a form column on the left (at most 260 px wide,
// its parts top-aligned) beside the results, which take the rest.
namespace StudyLayout {

// A two-column grid of labelled inputs; each label takes its input's tooltip and is its buddy.
QGridLayout* labelledGrid(QWidget* parent, std::initializer_list<std::pair<QString, QWidget*>> rows);
// Lays `view` out: the form column holding `formParts` (widgets or layouts, in order) beside `results`.
void arrange(QWidget* view, std::initializer_list<QObject*> formParts, QWidget* results);

} // namespace StudyLayout
