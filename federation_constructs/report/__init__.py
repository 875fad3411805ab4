"""What a reviewer reads, from a cloud assembly of any CDK app: rule-pack report, findings, access report (Markdown, JSON, HTML with a graph) and the access diff between two syntheses."""
