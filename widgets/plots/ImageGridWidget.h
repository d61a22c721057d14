#pragma once

#include <QImage>
#include <QString>
#include <QWidget>

#include <vector>

// A titled grid of small images (28x28 Fashion-MNIST digits, activation-weighted means) with a caption under each.
// Tiles are scaled with nearest-neighbour sampling (crisp pixels; an integer factor whenever it fits) through a grey
// or viridis colour map, and the column count is chosen to make the tiles as large as the widget allows. Painted with
// QPainter, so it exports like any widget. Hover shows a tile's tooltip; a click emits tileClicked.
class ImageGridWidget : public QWidget {
    Q_OBJECT
public:
    struct Tile {
        std::vector<float> pixels; // rows x cols, row-major
        int rows = 0;
        int cols = 0;
        float low = 0.0f;    // value drawn darkest (grey) / purple (viridis)
        float high = 255.0f; // value drawn brightest / yellow
        QString caption;     // lines separated by '\n', elided to the tile width
        QString toolTip;
    };
    enum class ColourMap { Grey, Viridis };

    explicit ImageGridWidget(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const { return m_title; }
    void setTiles(std::vector<Tile> tiles);
    void clear();
    void setColourMap(ColourMap map);
    ColourMap colourMap() const { return m_map; }
    // Text shown when there are no tiles.
    void setEmptyText(const QString& text);
    // At most this many columns (0: no limit).
    void setMaxColumns(int columns);
    // One tile marked with a frame (-1: none).
    void setHighlightedTile(int index);

    int tileCount() const { return int(m_tiles.size()); }
    const Tile& tile(int index) const { return m_tiles[std::size_t(index)]; }
    const std::vector<Tile>& tiles() const { return m_tiles; }
    QRect imageRect(int index) const; // where tile `index`'s image is drawn, in widget pixels
    int tileAt(const QPoint& pos) const;

    // The tile mapped through a colour map, one pixel per value.
    static QImage tileImage(const Tile& tile, ColourMap map);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void tileClicked(int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    struct Layout {
        int columns = 1;
        int rows = 1;
        int side = 0;     // drawn image size (square cells)
        int cellWidth = 0;
        int cellHeight = 0;
        int top = 0;      // y of the first row
        int left = 0;
    };
    Layout computeLayout() const;
    int titleHeight() const;
    int captionLines() const;

    QString m_title;
    QString m_emptyText;
    std::vector<Tile> m_tiles;
    std::vector<QImage> m_images;
    ColourMap m_map = ColourMap::Grey;
    int m_maxColumns = 0;
    int m_highlight = -1;
};
