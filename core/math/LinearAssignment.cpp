#include "math/LinearAssignment.h"

#include "common/InputError.h"

#include <limits>

namespace featurescope {

namespace {
// Rows ≤ columns. Potentials u (rows) and v (columns) keep every reduced cost c(i, j) − u_i − v_j ≥ 0, with 0 on the
// matched pairs; each row joins by a Dijkstra-like search for the cheapest augmenting path from it. 1-based inside,
// with column 0 standing for "the row being added".
std::vector<int> assignRows(const Eigen::MatrixXd& c)
{
    const int n = int(c.rows()), m = int(c.cols());
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> u(std::size_t(n) + 1, 0.0), v(std::size_t(m) + 1, 0.0);
    std::vector<int> rowOf(std::size_t(m) + 1, 0), way(std::size_t(m) + 1, 0);
    for (int i = 1; i <= n; ++i) {
        rowOf[0] = i;
        int j0 = 0;
        std::vector<double> minv(std::size_t(m) + 1, inf);
        std::vector<char> used(std::size_t(m) + 1, 0);
        do {
            used[std::size_t(j0)] = 1;
            const int i0 = rowOf[std::size_t(j0)];
            double delta = inf;
            int j1 = 0;
            for (int j = 1; j <= m; ++j) {
                if (used[std::size_t(j)])
                    continue;
                const double reduced = c(i0 - 1, j - 1) - u[std::size_t(i0)] - v[std::size_t(j)];
                if (reduced < minv[std::size_t(j)]) {
                    minv[std::size_t(j)] = reduced;
                    way[std::size_t(j)] = j0;
                }
                if (minv[std::size_t(j)] < delta) {
                    delta = minv[std::size_t(j)];
                    j1 = j;
                }
            }
            for (int j = 0; j <= m; ++j) {
                if (used[std::size_t(j)]) {
                    u[std::size_t(rowOf[std::size_t(j)])] += delta;
                    v[std::size_t(j)] -= delta;
                } else {
                    minv[std::size_t(j)] -= delta;
                }
            }
            j0 = j1;
        } while (rowOf[std::size_t(j0)] != 0);
        do { // augment along the path
            const int j1 = way[std::size_t(j0)];
            rowOf[std::size_t(j0)] = rowOf[std::size_t(j1)];
            j0 = j1;
        } while (j0 != 0);
    }
    std::vector<int> rowToColumn(std::size_t(n), -1);
    for (int j = 1; j <= m; ++j)
        if (rowOf[std::size_t(j)] > 0)
            rowToColumn[std::size_t(rowOf[std::size_t(j)] - 1)] = j - 1;
    return rowToColumn;
}
} // namespace

LinearAssignment LinearAssignment::minimise(const Eigen::MatrixXd& cost)
{
    if (!cost.allFinite())
        throw InputError("linear assignment: the cost matrix has NaN or infinite entries");
    LinearAssignment result;
    result.rowToColumn.assign(std::size_t(cost.rows()), -1);
    if (cost.size() == 0)
        return result;
    if (cost.rows() <= cost.cols()) {
        result.rowToColumn = assignRows(cost);
    } else {
        const std::vector<int> columnToRow = assignRows(cost.transpose());
        for (std::size_t j = 0; j < columnToRow.size(); ++j)
            result.rowToColumn[std::size_t(columnToRow[j])] = int(j);
    }
    for (std::size_t i = 0; i < result.rowToColumn.size(); ++i)
        if (result.rowToColumn[i] >= 0)
            result.cost += cost(Eigen::Index(i), result.rowToColumn[i]);
    return result;
}

LinearAssignment LinearAssignment::maximise(const Eigen::MatrixXd& score)
{
    LinearAssignment result = minimise(-score);
    result.cost = -result.cost;
    return result;
}

} // namespace featurescope
