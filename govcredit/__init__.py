"""GovCredit 政务诚信信息平台."""
