"""The mismatch engine: snapshot loader, rule registry, rules and findings.

Public entry points: `analyse_portfolio(portfolio)` for cached results and
`analyse(snapshot)` for a pure run over a snapshot.
"""

from portfolio.analysis.engine import AnalysisResult, analyse, analyse_portfolio
from portfolio.analysis.findings import Finding, Level

__all__ = ["AnalysisResult", "Finding", "Level", "analyse", "analyse_portfolio"]
