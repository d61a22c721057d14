#pragma once

#include <QString>
#include <QWidget>

#include <vector>

// Rows of highlighted text, the way SAE-Vis and Neuronpedia show a language-model feature's examples: each row is
// an activation value and a window of tokens around the example's token, every token on a background whose
// intensity is the feature's activation there (relative to the row set's maximum), the example's own token framed.
// Painted with QPainter in the palette's colours plus one translucent orange, so it reads in light and dark themes
// and exports like any widget.
class TokenContextView : public QWidget {
    Q_OBJECT
public:
    struct Token {
        QString text;
        float activation = 0.0f;
        bool known = true; // false: outside the evaluated rows, drawn without shading
    };
    struct Row {
        float value = 0.0f;  // the example's activation
        QString label;       // e.g. the class label, or empty
        std::vector<Token> tokens;
        int centre = 0;      // index in tokens of the example's own token
        QString toolTip;
    };

    explicit TokenContextView(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const { return m_title; }
    // `scale`: the activation drawn at full intensity (the feature's maximum).
    void setRows(std::vector<Row> rows, float scale);
    const std::vector<Row>& rows() const { return m_rows; }
    float scale() const { return m_scale; }
    void setEmptyText(const QString& text);

    // A token as drawn: whitespace made visible (space as is, newline as ↵, tab as →).
    static QString displayText(const QString& token);
    // The highlight colour of an activation, alpha proportional to activation / scale.
    static QColor shade(float activation, float scale);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;

private:
    int rowHeight() const;
    int titleHeight() const;
    int rowAt(int y) const;

    QString m_title;
    QString m_emptyText;
    std::vector<Row> m_rows;
    float m_scale = 1.0f;
};
